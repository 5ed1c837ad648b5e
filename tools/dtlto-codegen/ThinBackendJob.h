//===- ThinBackendJob.h - A job run by LLVM's ThinLTO backend ---*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_TOOLS_CODEGEN_THINBACKENDJOB_H
#define DTLTO_TOOLS_CODEGEN_THINBACKENDJOB_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/STLFunctionalExtras.h"

#include <string>
#include <vector>

namespace dtlto {

/// Whether a command line (program name first) is a job of the worker's own
/// form: <worker> -c|-S --target=<triple> --thinlto-config=<file> <module>
/// -fthinlto-index=<shard> -o <object> --thinlto-task=<n>
/// [--thinlto-stats=<file>] [--thinlto-dwo-output=<file>]
/// [--thinlto-remarks-output=<file>].
bool isThinBackendJob(llvm::ArrayRef<std::string> Args);

/// Run such a job; 0 on success. Messages go to stderr (captured per job by
/// a server).
int runThinBackendJob(llvm::ArrayRef<std::string> Args);

/// Run \p Run with LLVM's options as a new process would have them; alone
/// (after resetting every option) if the job sets process-wide state.
bool runWithOptionState(bool UsesProcessState, llvm::function_ref<bool()> Run);

} // namespace dtlto

#endif
