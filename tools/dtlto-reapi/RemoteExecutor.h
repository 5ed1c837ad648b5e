//===- RemoteExecutor.h - Attempts as REAPI actions -------------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The scheduler's executor for a build farm (dtlto/Scheduler.h): every
// attempt looks its action up in the action cache first (a hit costs no
// execution), executes it otherwise, and returns the outputs in memory; the
// scheduler judges them and only then are they written (atomically). A
// result that fails the judgement - clang's exit-0 "Error running ThinLTO
// backend" with an empty object can land in a farm's cache - is never
// accepted: the action runs again with the cache lookup skipped.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_TOOLS_DTLTO_REAPI_REMOTEEXECUTOR_H
#define DTLTO_TOOLS_DTLTO_REAPI_REMOTEEXECUTOR_H

#include "Actions.h"

#include "dtlto/Scheduler.h"

#include <memory>

namespace dtlto {

/// \p Set must outlive the executor. \p Verbose: print the summary line
/// even when stderr is not a terminal.
std::unique_ptr<Executor> createRemoteExecutor(Remote &R, const JobFile &F,
                                               const ActionSet &Set,
                                               bool Verbose);

} // namespace dtlto

#endif
