//===- OptionState.cpp - Jobs and LLVM's process-wide options -------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// See OptionState.h.
//
//===----------------------------------------------------------------------===//

#include "OptionState.h"

#include "llvm/Support/CommandLine.h"

#include <mutex>
#include <shared_mutex>

using namespace llvm;

static std::shared_mutex OptionLock;
static bool OptionsParsed = false; // Guarded by OptionLock.

bool dtlto::runWithOptionState(bool UsesProcessState,
                               function_ref<bool()> Run) {
  if (UsesProcessState) {
    std::unique_lock<std::shared_mutex> Alone(OptionLock);
    cl::ResetAllOptionOccurrences();
    OptionsParsed = true;
    return Run();
  }
  for (;;) {
    {
      std::shared_lock<std::shared_mutex> Shared(OptionLock);
      if (!OptionsParsed)
        return Run();
    }
    std::unique_lock<std::shared_mutex> Alone(OptionLock);
    if (OptionsParsed) {
      cl::ResetAllOptionOccurrences();
      OptionsParsed = false;
    }
  }
}
