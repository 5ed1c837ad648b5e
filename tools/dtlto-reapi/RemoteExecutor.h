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
/// What the farm's action cache holds for a link's jobs, asked for all of
/// them at once before anything is uploaded: a link served from the cache
/// makes a few calls in all instead of a thread and two calls per job, and
/// uploads the inputs of the other jobs only.
struct CacheProbe {
  enum State : char {
    NotAsked, ///< The attempt asks the cache itself.
    Miss,     ///< Not in the cache: execute.
    GoodHit,  ///< In Results and Bytes, judged good: kept without a call.
    BadHit,   ///< In the cache but bad: executed with skip_cache_lookup.
  };
  std::vector<State> Verdict;
  std::vector<AttemptResult> Results;
  std::vector<std::vector<std::string>> Bytes;
  unsigned Rejected = 0;

  /// Whether job \p I needs its inputs on the farm.
  bool mayExecute(size_t I) const { return Verdict[I] != GoodHit; }
};

CacheProbe probeActionCache(Remote &R, const JobFile &F, const ActionSet &Set);

std::unique_ptr<Executor> createRemoteExecutor(Remote &R, const JobFile &F,
                                               const ActionSet &Set,
                                               CacheProbe Probe, bool Verbose);

} // namespace dtlto

#endif
