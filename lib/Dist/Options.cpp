//===- Options.cpp - The options every distributor takes -----------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// dtlto-dist and dtlto-reapi are the same scheduler behind different
// executors, so they take its options with the same spellings, limits and
// messages, parsed here once; and they read a job file the same way.
//
//===----------------------------------------------------------------------===//

#include "dtlto/JobFile.h"
#include "dtlto/Scheduler.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <thread>

using namespace dtlto;

bool dtlto::parseNumber(const std::string &V, double Max, double &Out) {
  char *End;
  errno = 0;
  Out = std::strtod(V.c_str(), &End);
  return !V.empty() && !*End && !errno && Out >= 0 && Out <= Max;
}

int dtlto::parseSchedulerOption(const char *Prog,
                                const std::vector<std::string> &Args, size_t &I,
                                SchedulerOptions &O) {
  const std::string &A = Args[I];
  std::string V;
  auto Value = [&](const char *Prefix) {
    size_t L = std::strlen(Prefix);
    if (A.compare(0, L, Prefix) != 0)
      return false;
    V = A.substr(L);
    return true;
  };
  auto Bad = [&](const char *What) {
    if (Prog)
      std::fprintf(stderr, "%s: error: invalid %s '%s'\n", Prog, What,
                   V.c_str());
    return -1;
  };
  double N;
  if (A == "-v" || A == "--verbose") {
    O.Verbose = true;
  } else if (A == "--allow-path-escape") {
    O.AllowPathEscape = true;
  } else if (Value("--report=")) {
    O.ReportPath = V;
  } else if (Value("--trace=")) {
    O.TracePath = V;
  } else if ((A == "-j" && I + 1 < Args.size() && (V = Args[++I], true)) ||
             Value("--jobs=") || Value("-j")) {
    if (!parseNumber(V, O.MaxJobs, N) || N < 1 || N != unsigned(N))
      return Bad("job count");
    O.Jobs = N;
  } else if (Value("--retries=")) {
    if (!parseNumber(V, 100, N) || N != unsigned(N))
      return Bad("retry count");
    O.Retries = N;
  } else if (Value("--timeout=")) {
    if (!parseNumber(V, 1e6, N) || N <= 0)
      return Bad("timeout");
    O.Timeout = N;
  } else {
    return 0;
  }
  return 1;
}

unsigned dtlto::defaultLocalJobs() {
  return std::max(1u, std::thread::hardware_concurrency());
}

bool dtlto::loadJobFile(const char *Prog, const std::string &Path,
                        const SchedulerOptions &O, JobFile &F) {
  std::string Err;
  if (readJobFile(Path, F, Err) &&
      (O.AllowPathEscape || checkOutputPaths(F, Path, Err)))
    return true;
  std::fprintf(stderr, "%s: error: %s\n", Prog, Err.c_str());
  return false;
}
