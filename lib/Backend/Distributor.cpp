//===- Distributor.cpp - Run the distributor process ----------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The distributor contract (llvm/docs/DTLTO.rst): argv is the distributor,
// its arguments and the job file last; it inherits our working directory,
// environment and standard streams, and returns non-zero on failure. The
// messages keep LLVM 22's "distributor execution failed" prefix, which
// upstream tests match, and add which of the three failures it was.
//
//===----------------------------------------------------------------------===//

#include "Distributor.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TimeProfiler.h"

using namespace llvm;

static Error failure(const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(),
                           "DTLTO backend compilation: distributor execution "
                           "failed: " +
                               Msg);
}

Error dtlto::runDistributor(const std::string &Distributor,
                            const std::vector<std::string> &Args,
                            const std::string &JobFile) {
  llvm::TimeTraceScope Scope("Execute DTLTO distributor", Distributor);
  std::string Program = Distributor;
  if (!sys::path::has_parent_path(Distributor)) {
    ErrorOr<std::string> Found = sys::findProgramByName(Distributor);
    if (!Found)
      return failure("cannot find distributor '" + Distributor + "' in PATH.");
    Program = *Found;
  }
  SmallVector<StringRef, 8> Argv;
  Argv.push_back(Distributor);
  for (const std::string &A : Args)
    Argv.push_back(A);
  Argv.push_back(JobFile);

  std::string ErrMsg;
  bool ExecutionFailed = false;
  int RC = sys::ExecuteAndWait(Program, Argv, /*Env=*/std::nullopt,
                               /*Redirects=*/{}, /*SecondsToWait=*/0,
                               /*MemoryLimit=*/0, &ErrMsg, &ExecutionFailed);
  if (ExecutionFailed)
    return failure("cannot run distributor '" + Distributor + "': " + ErrMsg +
                   ".");
  if (RC == -2)
    return failure("distributor '" + Distributor +
                   "' was killed by a signal: " + ErrMsg + ".");
  if (RC != 0)
    return failure("distributor '" + Distributor + "' exited with status " +
                   Twine(RC) + ".");
  return Error::success();
}
