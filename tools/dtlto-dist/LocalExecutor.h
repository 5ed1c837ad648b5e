//===- LocalExecutor.h - dtlto-dist's jobs on this machine ------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Runs attempts on this machine for the scheduler (dtlto/Scheduler.h): on
// the lanes of dtlto-codegen servers when the remote compiler is the clang
// they reproduce, otherwise as processes of their own.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_TOOLS_DTLTO_DIST_LOCALEXECUTOR_H
#define DTLTO_TOOLS_DTLTO_DIST_LOCALEXECUTOR_H

#include "dtlto/Scheduler.h"

#include <memory>
#include <sys/types.h>
#include <utility>
#include <vector>

namespace dtlto {

struct LocalOptions {
  unsigned Slots = 1;
  /// dtlto-codegen, if jobs go to servers ("" : every job is a process).
  std::string Server;
  /// One server running every slot on threads (else one per slot).
  bool Threaded = true;
  const char *Prog = "dtlto-dist";
  /// A threaded server the linker started (--codegen-server-fds=): its
  /// process ID (it leads its process group; not our child) and each
  /// lane's request and reply descriptors. It gets the common arguments
  /// as its first request on each lane.
  pid_t AdoptedPid = -1;
  std::vector<std::pair<int, int>> AdoptedLanes;
};

/// Parse "PID:TO:FROM[,TO:FROM...]" naming open descriptors into \p O;
/// false if malformed.
bool parseAdoptedServer(const std::string &Spec, LocalOptions &O);

std::unique_ptr<Executor> createLocalExecutor(const JobFile &F,
                                              const LocalOptions &O);

} // namespace dtlto

#endif
