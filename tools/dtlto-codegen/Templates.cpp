//===- Templates.cpp - A codegen server's reuse of the driver's work ------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// See Templates.h. LLVM's Support library only (paths), so the logic is
// unit-tested without clang.
//
//===----------------------------------------------------------------------===//

#include "Templates.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Path.h"

using namespace llvm;
using namespace dtlto;

std::optional<JobPaths> dtlto::dtltoJobPaths(ArrayRef<std::string> JobArgs) {
  if (JobArgs.size() != 4 || JobArgs[0].empty() || JobArgs[0][0] == '-' ||
      !StringRef(JobArgs[1]).starts_with("-fthinlto-index=") ||
      JobArgs[2] != "-o" || JobArgs[3].empty())
    return std::nullopt;
  return JobPaths{JobArgs[0], JobArgs[1].substr(16), JobArgs[3]};
}

static bool isMainFileName(ArrayRef<std::string> Args, size_t I) {
  return I > 0 && Args[I - 1] == "-main-file-name";
}

std::optional<std::vector<std::string>>
CC1Templates::apply(const JobPaths &J) const {
  if (sys::path::extension(J.Module) != sys::path::extension(From.Module))
    return std::nullopt;
  std::string Index = "-fthinlto-index=" + From.Shard;
  std::vector<std::string> Out;
  for (size_t I = 0; I < Args.size(); ++I) {
    const std::string &A = Args[I];
    if (isMainFileName(Args, I))
      Out.push_back(sys::path::filename(J.Module).str());
    else if (A == From.Module)
      Out.push_back(J.Module);
    else if (A == Index)
      Out.push_back("-fthinlto-index=" + J.Shard);
    else if (A == From.Output)
      Out.push_back(J.Output);
    else
      Out.push_back(A);
  }
  return Out;
}

// Each path must be one whole argument, once, and appear in no other.
bool CC1Templates::usable() const {
  std::string Index = "-fthinlto-index=" + From.Shard;
  StringRef Name = sys::path::filename(From.Module);
  unsigned Module = 0, Shard = 0, Output = 0;
  for (size_t I = 0; I < Args.size(); ++I) {
    StringRef A = Args[I];
    if (isMainFileName(Args, I)) {
      if (A != Name)
        return false;
      continue;
    }
    Module += A == From.Module;
    Shard += A == Index;
    Output += A == From.Output;
    if (A == From.Module || A == Index || A == From.Output)
      continue;
    for (StringRef P : {StringRef(From.Module), StringRef(From.Shard),
                        StringRef(From.Output), Name})
      if (A.contains(P))
        return false;
  }
  return Module == 1 && Shard == 1 && Output == 1;
}

std::optional<std::vector<std::string>>
CC1Templates::lookup(const JobPaths &J) {
  std::lock_guard<std::mutex> L(Lock);
  if (State != Trusted)
    return std::nullopt;
  return apply(J);
}

void CC1Templates::record(const JobPaths &J,
                          const std::vector<std::string> &CC1) {
  std::lock_guard<std::mutex> L(Lock);
  if (State == Empty) {
    From = J;
    Args = CC1;
    State = usable() ? Candidate : Off;
  } else if (State == Candidate && J.Module != From.Module) {
    if (std::optional<std::vector<std::string>> Guess = apply(J))
      State = *Guess == CC1 ? Trusted : Off;
  }
}
