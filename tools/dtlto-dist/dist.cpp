//===- dist.cpp - dtlto-dist, the parallel local DTLTO distributor --------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Runs the jobs of an upstream-schema job file on this machine, N at a time,
// through the shared scheduler (dtlto/Scheduler.h: order, retries, timeouts,
// judgement, progress, report) and LocalExecutor.cpp. This file is the
// command line and the choice of how jobs run.
//
// When the remote compiler is the clang 22 that dtlto-codegen was built
// against, or dtlto-codegen itself, jobs go to one persistent dtlto-codegen
// server running N jobs at
// once on N threads, instead of a new clang process per job: the objects
// are the same bytes, without paying clang's start-up per job nor once per
// worker. (Common arguments that set process-wide LLVM state, such as
// -mllvm, make a server run one job at a time; those links get N servers.)
// A server that dies takes no job with it: its jobs run again on a new one.
//
// A job fails if it exits non-zero or by a signal, if clang reports "Error
// running ThinLTO backend" (clang 22 then exits 0 with an empty object), if
// it runs past --timeout, or if its output is missing, empty or not an
// object for the target. A failing job's stderr is printed with its
// command; its outputs are removed. Ctrl-C stops every child and removes the
// outputs of unfinished jobs.
//
// Exit status: 0 all jobs succeeded, 1 a job failed, 2 usage or job-file
// error, 128+N interrupted by signal N.
//
//===----------------------------------------------------------------------===//

#include "LocalExecutor.h"

#include "dtlto/Files.h"
#include "dtlto/JobFile.h"
#include "dtlto/Protocol.h"
#include "dtlto/Scheduler.h"

#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <unistd.h>

using namespace dtlto;

namespace {

const char *Prog = "dtlto-dist";

void usage() {
  std::fprintf(
      stderr,
      "usage: %s [options] <job-file.json>\n"
      "Runs the backend jobs of a DTLTO job file in parallel on this "
      "machine.\n"
      "  -j N, --jobs=N     run N jobs at once (default: available cores)\n"
      "  --retries=N        run a failing job up to N more times (default 0)\n"
      "  --timeout=SECONDS  fail a job that runs longer (default: none)\n"
      "  --no-codegen       always start the compiler itself, never "
      "dtlto-codegen\n"
      "  --codegen-processes  one dtlto-codegen server process per job slot\n"
      "                     (default: one server running N jobs on threads)\n"
      "  --codegen-server-fds=PID:TO:FROM[,TO:FROM...]\n"
      "                     use the dtlto-codegen server our linker started\n"
      "                     (its lanes' inherited descriptors)\n"
      "  --report=FILE      write per-job start/end/CPU/max RSS as JSON\n"
      "  --allow-path-escape  write outputs outside the linker output's "
      "directory\n"
      "  --trace=FILE       write a Chrome trace of the jobs\n"
      "  -v, --verbose      print a summary line at the end\n"
      "Under `make -jN` (MAKEFLAGS with a jobserver) each job beyond the "
      "first takes a\njobserver token.\n",
      Prog);
}

} // namespace

int main(int Argc, char **Argv) {
  std::vector<std::string> Args(Argv + 1, Argv + Argc);
  if (Args.empty()) {
    usage();
    return 2;
  }
  SchedulerOptions O;
  O.Jobs = defaultLocalJobs();
  bool UseCodegen = true, CodegenProcesses = false;
  LocalOptions L;
  std::string JobPath;
  // The job file is always the last argument (the DTLTO contract).
  JobPath = Args.back();
  Args.pop_back();
  for (size_t I = 0; I < Args.size(); ++I) {
    const std::string &A = Args[I];
    int Taken = parseSchedulerOption(Prog, Args, I, O);
    if (Taken < 0)
      return 2;
    if (Taken)
      continue;
    if (A == "-h" || A == "--help") {
      usage();
      return 0;
    }
    // (--no-worker and --worker-processes: earlier names.)
    if (A == "--no-codegen" || A == "--no-worker") {
      UseCodegen = false;
      continue;
    }
    if (A == "--codegen-processes" || A == "--worker-processes") {
      CodegenProcesses = true;
      continue;
    }
    if (A.rfind("--codegen-server-fds=", 0) == 0) {
      if (!parseAdoptedServer(A.substr(21), L)) {
        std::fprintf(stderr,
                     "%s: error: invalid '%s': expected "
                     "PID:TO:FROM[,TO:FROM...] naming open descriptors\n",
                     Prog, A.c_str());
        return 2;
      }
      continue;
    }
    std::fprintf(stderr, "%s: error: unknown option '%s'\n", Prog, A.c_str());
    usage();
    return 2;
  }

  JobFile F;
  if (!loadJobFile(Prog, JobPath, O, F))
    return 2;
  // Jobs go to dtlto-codegen servers when the compiler is the clang they
  // reproduce (and nothing is prepended to it).
  L.Slots = O.Jobs;
  L.Prog = Prog;
  std::string Codegen = executableDir() + "/dtlto-codegen";
  // Jobs for our worker itself (LLVM's backend with the link's whole
  // configuration) go to it the same way.
  std::string Compiler =
      F.CommonArgs.empty() ? std::string() : realPath(F.CommonArgs[0]);
  if (UseCodegen && !Compiler.empty() && ::access(Codegen.c_str(), X_OK) == 0 &&
      (Compiler == realPath(DTLTO_CLANG) || Compiler == realPath(Codegen)))
    L.Server = Codegen;
  L.Threaded = !CodegenProcesses && !setsProcessState(F.CommonArgs);
  std::unique_ptr<Executor> E = createLocalExecutor(F, L);
  return runJobs(Prog, F, *E, O);
}
