//===- jobfile-fuzzer.cpp - libFuzzer target for the job-file library -----===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Every distributor of ours trusts nothing but this reader, so it must never
// crash, hang or accept what it cannot write back. For any input: parse it;
// if it parses, the job file re-serializes, parses again to the same model,
// and the per-job command lines, output-path check and target lookup run.
// The same bytes also go through the native-object check.
//
//===----------------------------------------------------------------------===//

#include "dtlto/JobFile.h"
#include "dtlto/ObjectCheck.h"

#include <cstdint>
#include <cstdlib>
#include <string>

using namespace dtlto;

static bool sameModel(const JobFile &A, const JobFile &B) {
  if (A.LinkerOutput != B.LinkerOutput || A.CommonArgs != B.CommonArgs ||
      A.CommonInputs != B.CommonInputs || A.Jobs.size() != B.Jobs.size())
    return false;
  for (size_t I = 0; I < A.Jobs.size(); ++I)
    if (A.Jobs[I].Args != B.Jobs[I].Args ||
        A.Jobs[I].Inputs != B.Jobs[I].Inputs ||
        A.Jobs[I].Outputs != B.Jobs[I].Outputs)
      return false;
  return true;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *Data, size_t Size) {
  std::string_view Text(reinterpret_cast<const char *>(Data), Size);
  std::string Why;
  checkNativeObject(Text, Size, "x86_64-unknown-linux-gnu", Why);
  checkNativeObject(Text, Size, "", Why);

  JobFile F;
  std::string Err;
  if (!parseJobFile(Text, "fuzz.json", F, Err)) {
    if (Err.empty())
      std::abort(); // A rejection must say why.
    return 0;
  }
  std::string Out;
  if (!writeJobFile(F, Out, Err))
    return 0; // Parsed but not writable (e.g. invalid UTF-8): a clean error.
  JobFile G;
  if (!parseJobFile(Out, "rewritten.json", G, Err) || !sameModel(F, G))
    std::abort();
  std::string Again;
  if (!writeJobFile(G, Again, Err) || Again != Out)
    std::abort();
  for (size_t I = 0; I < F.Jobs.size(); ++I) {
    (void)F.command(I);
    (void)F.moduleOf(I);
  }
  (void)checkOutputPaths(F, "fuzz/job.json", Err);
  (void)F.target();
  return 0;
}
