//===- WriteFile.h - Writing the backend's files, every error reported ----===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// LLVM's raw_fd_ostream leaves a write that failed after open (a full disk)
// to its destructor, which aborts the linker; these helpers report it as an
// error and leave no partial file. Temporary files in the output directory
// are created exclusively: their names are upstream's, so predictable, and a
// name somebody else already holds (a symlink planted by another user, say)
// must never be written through.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_LIB_BACKEND_WRITEFILE_H
#define DTLTO_LIB_BACKEND_WRITEFILE_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace dtlto {

/// Create \p Path, which must not exist, and write \p Data to it. A file
/// already there (a leftover of a killed link with the same process ID) is
/// removed first, without following it if it is a symlink; if the name is
/// taken again before we create it, that is an error.
llvm::Error writeNewFile(const std::string &Path, llvm::StringRef Data);

/// Write \p Data to \p Path, replacing it: for files the user asked for.
llvm::Error writeFileChecked(const std::string &Path, llvm::StringRef Data);

} // namespace dtlto

#endif
