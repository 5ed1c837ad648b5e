//===- TempFiles.h - Temporary files of one DTLTO link ----------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every file the backend creates for the distributor is registered here the
// moment its name is chosen, so it disappears on success, on error and on
// SIGINT (via llvm::sys::RemoveFileOnSignal) unless it is meant to be kept.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_LIB_BACKEND_TEMPFILES_H
#define DTLTO_LIB_BACKEND_TEMPFILES_H

#include <mutex>
#include <string>
#include <vector>

namespace dtlto {

class TempFiles {
public:
  /// Register \p Path; if \p Keep it is left in place at the end.
  void add(const std::string &Path, bool Keep);
  /// Remove \p Path now (if not kept) and forget it.
  void remove(const std::string &Path);
  /// Remove every file that is not kept. Called once, at the end.
  void removeAll();
  ~TempFiles() { removeAll(); }

private:
  struct Entry {
    std::string Path;
    bool Keep;
  };
  std::mutex Mu;
  std::vector<Entry> Files;
};

} // namespace dtlto

#endif
