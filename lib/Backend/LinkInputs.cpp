//===- LinkInputs.cpp - Bitcode inputs that have no file of their own -----===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The record behind include/dtlto/LinkInputs.h: one entry per renamed input,
// filled by the linker while it adds inputs (one thread), read and written
// by the backend's threads once the thin link is done.
//
//===----------------------------------------------------------------------===//

#include "dtlto/LinkInputs.h"

#include "WriteFile.h"

#include "llvm/ADT/StringMap.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/TimeProfiler.h"
#include "llvm/Support/WithColor.h"

#include <mutex>

using namespace llvm;
using namespace dtlto;

namespace {

struct SerializedInput {
  std::string OriginalID;
  MemoryBufferRef Contents;
  bool Claimed = false; // A thread writes it (or has written it).
  bool Written = false;
  bool Keep = false;
};

struct Registry {
  std::mutex Mu;
  StringMap<SerializedInput> Inputs;
  bool BackendWrites = false;
};

Registry &registry() {
  static Registry R;
  return R;
}

Error writeOne(StringRef ModuleID, SerializedInput &In, bool Keep) {
  TimeTraceScope Scope("Serialize bitcode input for DTLTO", ModuleID);
  if (!Keep)
    sys::RemoveFileOnSignal(ModuleID);
  if (Error E = writeNewFile(ModuleID.str(), In.Contents.getBuffer())) {
    sys::DontRemoveFileOnSignal(ModuleID);
    return createStringError(inconvertibleErrorCode(),
                             "cannot write the bitcode of '" + In.OriginalID +
                                 "' to " + ModuleID + ": " +
                                 toString(std::move(E)));
  }
  return Error::success();
}

} // namespace

void dtlto::addSerializedInput(StringRef ModuleID, StringRef OriginalID,
                               MemoryBufferRef Contents) {
  Registry &R = registry();
  std::lock_guard<std::mutex> L(R.Mu);
  SerializedInput &In = R.Inputs[ModuleID];
  In.OriginalID = OriginalID.str();
  In.Contents = Contents;
}

StringRef dtlto::originalModuleID(StringRef ModuleID) {
  Registry &R = registry();
  std::lock_guard<std::mutex> L(R.Mu);
  auto It = R.Inputs.find(ModuleID);
  // Entries are never removed, so the string outlives the lock.
  return It == R.Inputs.end() ? ModuleID : StringRef(It->second.OriginalID);
}

Error dtlto::writeSerializedInputs(ArrayRef<std::string> ModuleIDs, bool Keep) {
  Registry &R = registry();
  for (const std::string &ID : ModuleIDs) {
    SerializedInput *In;
    {
      std::lock_guard<std::mutex> L(R.Mu);
      auto It = R.Inputs.find(ID);
      if (It == R.Inputs.end() || It->second.Claimed)
        continue;
      In = &It->second;
      In->Claimed = true;
      In->Keep = Keep;
    }
    if (Error E = writeOne(ID, *In, Keep))
      return E;
    std::lock_guard<std::mutex> L(R.Mu);
    In->Written = true;
  }
  return Error::success();
}

void dtlto::setBackendWritesInputs(bool Value) {
  Registry &R = registry();
  std::lock_guard<std::mutex> L(R.Mu);
  R.BackendWrites = Value;
}

bool dtlto::backendWritesInputs() {
  Registry &R = registry();
  std::lock_guard<std::mutex> L(R.Mu);
  return R.BackendWrites;
}

void dtlto::removeSerializedInputs() {
  Registry &R = registry();
  std::lock_guard<std::mutex> L(R.Mu);
  TimeTraceScope Scope("Remove temporary inputs for DTLTO");
  for (auto &Entry : R.Inputs) {
    SerializedInput &In = Entry.second;
    if (!In.Written || In.Keep)
      continue;
    StringRef Path = Entry.getKey();
    std::error_code EC = sys::fs::remove(Path, /*IgnoreNonExisting=*/true);
    if (EC)
      WithColor::warning() << "could not remove temporary DTLTO input file '"
                           << Path << "': " << EC.message() << "\n";
    sys::DontRemoveFileOnSignal(Path);
    In.Written = false;
  }
}
