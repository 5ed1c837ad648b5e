//===- WriteFile.cpp - Writing the backend's files, every error reported --===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "WriteFile.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace dtlto;

// Write and close \p FD, removing \p Path if any of it failed.
static Error finish(int FD, const std::string &Path, StringRef Data) {
  raw_fd_ostream OS(FD, /*shouldClose=*/true);
  OS << Data;
  OS.close();
  if (!OS.has_error())
    return Error::success();
  std::error_code EC = OS.error();
  OS.clear_error(); // Reported here, not by the destructor's abort.
  sys::fs::remove(Path);
  return errorCodeToError(EC);
}

Error dtlto::writeNewFile(const std::string &Path, StringRef Data) {
  int FD;
  std::error_code EC =
      sys::fs::openFileForWrite(Path, FD, sys::fs::CD_CreateNew);
  if (EC == std::errc::file_exists) {
    if (std::error_code RemoveEC = sys::fs::remove(Path))
      return errorCodeToError(RemoveEC);
    EC = sys::fs::openFileForWrite(Path, FD, sys::fs::CD_CreateNew);
  }
  if (EC)
    return errorCodeToError(EC);
  return finish(FD, Path, Data);
}

Error dtlto::writeFileChecked(const std::string &Path, StringRef Data) {
  int FD;
  if (std::error_code EC =
          sys::fs::openFileForWrite(Path, FD, sys::fs::CD_CreateAlways))
    return errorCodeToError(EC);
  return finish(FD, Path, Data);
}
