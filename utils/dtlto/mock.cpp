//===- mock.cpp - dtlto-mock, a distributor that compiles nothing ---------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// For tests without a compiler: `dtlto-mock <in1> <in2> ... <json>` copies
// the i-th file to jobs[i].outputs[0] (in job order) after checking the job
// file strictly. The special name "-" skips a job (its output is not made),
// so tests can stage missing outputs too.
//
//===----------------------------------------------------------------------===//

#include "dtlto/Files.h"
#include "dtlto/JobFile.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fstream>

using namespace dtlto;

int main(int Argc, char **Argv) {
  JobFile F;
  if (!readJobFileArg(Argc, Argv, "dtlto-mock", F))
    return 2;
  size_t NumFiles = Argc - 2;
  if (NumFiles < F.Jobs.size()) {
    std::fprintf(stderr,
                 "dtlto-mock: error: %zu job(s) but only %zu file(s) given\n",
                 F.Jobs.size(), NumFiles);
    return 1;
  }
  for (size_t I = 0; I < F.Jobs.size(); ++I) {
    std::string From = Argv[1 + I], Data;
    if (From == "-")
      continue;
    if (!readFile(From, Data)) {
      std::fprintf(stderr, "dtlto-mock: error: cannot read '%s': %s\n",
                   From.c_str(), std::strerror(errno));
      return 1;
    }
    const std::string &To = F.Jobs[I].Outputs[0];
    std::ofstream Out(To, std::ios::binary);
    Out << Data;
    if (!Out.flush()) {
      std::fprintf(stderr, "dtlto-mock: error: cannot write '%s'\n",
                   To.c_str());
      return 1;
    }
  }
  return 0;
}
