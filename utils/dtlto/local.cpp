//===- local.cpp - dtlto-local, the serial reference distributor ----------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The simplest distributor that satisfies the contract, for tests: run each
// job's command in order, stop at the first failure. Like upstream's
// local.py it checks nothing else, so tests of the linker's own output
// validation can use it. Usage: dtlto-local [ignored args...] <json>.
//
//===----------------------------------------------------------------------===//

#include "dtlto/JobFile.h"
#include "dtlto/Process.h"

#include <cstdio>
#include <sys/wait.h>

using namespace dtlto;

int main(int Argc, char **Argv) {
  JobFile F;
  if (!readJobFileArg(Argc, Argv, "dtlto-local", F))
    return 2;
  std::string Err;
  for (size_t I = 0; I < F.Jobs.size(); ++I) {
    std::vector<std::string> Cmd = F.command(I);
    pid_t Pid = spawnProcess(Cmd, SpawnOptions(), Err);
    int Status = 0;
    if (Pid < 0 || ::waitpid(Pid, &Status, 0) < 0 || !WIFEXITED(Status) ||
        WEXITSTATUS(Status) != 0) {
      std::fprintf(stderr, "dtlto-local: error: job %zu (module '%s') %s: %s\n",
                   I, F.moduleOf(I).c_str(),
                   Pid < 0 ? Err.c_str() : describeWaitStatus(Status).c_str(),
                   shellCommand(Cmd).c_str());
      return 1;
    }
  }
  return 0;
}
