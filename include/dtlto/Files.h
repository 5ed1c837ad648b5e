//===- Files.h - Whole-file reads and capture files -------------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Reading a job file or an input whole, and the unnamed temporary files in
// which a child's output is captured (a pipe could fill and stall the child
// while we wait for something else). LLVM-free.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_FILES_H
#define DTLTO_FILES_H

#include <string>

namespace dtlto {

/// Read a whole file; returns false if it cannot be opened.
bool readFile(const std::string &Path, std::string &Out);

/// A new, already unlinked, close-on-exec temporary file in $TMPDIR
/// (default /tmp), open for reading and writing; -1 on failure.
int anonymousTempFile();

/// Everything in the file open as \p Fd, from its start.
std::string readWholeFd(int Fd);

/// \p Path with symbolic links resolved; "" if it does not exist.
std::string realPath(const std::string &Path);

/// The directory of the running executable (its tools sit beside it).
std::string executableDir();

} // namespace dtlto

#endif // DTLTO_FILES_H
