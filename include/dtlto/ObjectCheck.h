//===- ObjectCheck.h - Is a backend's output a usable object? ---*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// clang 22 can exit 0 and leave an empty object behind when an imported
// module is missing, and a remote machine can return a truncated or foreign
// file. Both the linker's backend and our distributors refuse such outputs,
// with this one check. It is LLVM-free so that distributors stay light.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_OBJECTCHECK_H
#define DTLTO_OBJECTCHECK_H

#include <cstdint>
#include <string>
#include <string_view>

namespace dtlto {

/// Check that a file of \p Size bytes starting with \p Head (at least its
/// first 64 bytes, or all of it) is a complete relocatable object for the
/// target \p Triple (an empty triple checks only the format). On failure
/// \p Why says what is wrong, e.g. "the file is empty".
bool checkNativeObject(std::string_view Head, uint64_t Size,
                       std::string_view Triple, std::string &Why);

/// A job's output: with \p Assembly (the job compiles with -S) a non-empty
/// text file, otherwise a native object as above.
bool checkJobOutput(std::string_view Head, uint64_t Size,
                    std::string_view Triple, bool Assembly, std::string &Why);

/// Read \p Path and check it as checkJobOutput does; a missing or unreadable
/// file fails with the system's reason.
bool checkNativeObjectFile(const std::string &Path, std::string_view Triple,
                           std::string &Why, bool Assembly = false);

} // namespace dtlto

#endif // DTLTO_OBJECTCHECK_H
