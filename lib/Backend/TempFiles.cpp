//===- TempFiles.cpp - Temporary files of one DTLTO link ------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "TempFiles.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;
using namespace dtlto;

void TempFiles::add(const std::string &Path, bool Keep) {
  std::lock_guard<std::mutex> L(Mu);
  if (!Keep)
    sys::RemoveFileOnSignal(Path);
  Files.push_back({Path, Keep});
}

static void removeOne(const std::string &Path) {
  // A file that is already gone is not worth a warning.
  std::error_code EC = sys::fs::remove(Path, /*IgnoreNonExisting=*/true);
  if (EC)
    WithColor::warning() << "could not remove the file '" << Path
                         << "': " << EC.message() << "\n";
  sys::DontRemoveFileOnSignal(Path);
}

void TempFiles::remove(const std::string &Path) {
  std::lock_guard<std::mutex> L(Mu);
  for (size_t I = 0; I < Files.size(); ++I) {
    if (Files[I].Path != Path)
      continue;
    if (!Files[I].Keep)
      removeOne(Path);
    Files.erase(Files.begin() + I);
    return;
  }
}

void TempFiles::removeAll() {
  std::lock_guard<std::mutex> L(Mu);
  for (const Entry &E : Files)
    if (!E.Keep)
      removeOne(E.Path);
  Files.clear();
}
