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

} // namespace dtlto

#endif
