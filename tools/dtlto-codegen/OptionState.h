//===- OptionState.h - Jobs and LLVM's process-wide options -----*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// LLVM's options (cl::opt) are globals. A job that parses them (-mllvm,
// -mdebug-pass, a worker job's LLVM options, ...) or uses other process-wide
// state (pass plugins register options when loaded; statistics and pass
// timers are global counters) runs alone, after resetting every option to
// its default as a new process would have it. Other jobs share the process;
// the first of them after such a job resets the options again.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_TOOLS_CODEGEN_OPTIONSTATE_H
#define DTLTO_TOOLS_CODEGEN_OPTIONSTATE_H

#include "llvm/ADT/STLFunctionalExtras.h"

namespace dtlto {

/// Run \p Run with LLVM's options as a new process would have them; alone
/// (after resetting every option) if the job sets process-wide state.
bool runWithOptionState(bool UsesProcessState, llvm::function_ref<bool()> Run);

} // namespace dtlto

#endif // DTLTO_TOOLS_CODEGEN_OPTIONSTATE_H
