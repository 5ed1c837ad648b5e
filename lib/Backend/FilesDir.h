//===- FilesDir.h - Where a link's DTLTO files go ---------------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_LIB_BACKEND_FILESDIR_H
#define DTLTO_LIB_BACKEND_FILESDIR_H

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

#include <string>

namespace dtlto {

/// Choose, once per link (when the backend is created), the directory of
/// the link's DTLTO files: \p UserDir if given (created if missing), a
/// private directory in memory for dtlto-dist unless the link \p KeepsFiles
/// (--save-temps, --thinlto-emit-index-files), else the output's
/// directory. \p Warning says why a memory directory was refused, if one
/// was.
llvm::Expected<std::string> chooseLinkFilesDir(llvm::StringRef LinkerOutputFile,
                                               llvm::StringRef Distributor,
                                               bool KeepsFiles,
                                               llvm::StringRef UserDir,
                                               std::string &Warning);

} // namespace dtlto

#endif
