//===- CAPI.cpp - The job-file library's C interface ----------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Thin wrappers: the logic stays in JobFile.cpp, ObjectCheck.cpp, Judge.cpp
// and Protocol.cpp.
//
//===----------------------------------------------------------------------===//

#include "dtlto/CAPI.h"
#include "dtlto/JobFile.h"
#include "dtlto/Judge.h"
#include "dtlto/ObjectCheck.h"
#include "dtlto/Protocol.h"

#include <cstdlib>
#include <cstring>

using namespace dtlto;

static char *copyOut(const std::string &S) {
  char *P = static_cast<char *>(std::malloc(S.size() + 1));
  if (P)
    std::memcpy(P, S.c_str(), S.size() + 1);
  return P;
}

int dtlto_read_job_file(const char *Path, int AllowPathEscape, char **Out) {
  JobFile F;
  std::string Err, Text;
  if (!readJobFile(Path, F, Err) ||
      (!AllowPathEscape && !checkOutputPaths(F, Path, Err)) ||
      !writeJobFile(F, Text, Err)) {
    *Out = copyOut(Err);
    return 1;
  }
  // Insert "target" right after the opening brace of the top-level object.
  std::string Target = "\"target\":";
  appendJSONString(Target, F.target());
  Target += ",\"assembly\":";
  Target += F.emitsAssembly() ? "true," : "false,";
  size_t Brace = Text.find('{');
  Text.insert(Brace + 1, Target);
  *Out = copyOut(Text);
  return 0;
}

int dtlto_check_object(const char *Data, uint64_t Size, const char *Triple,
                       int Assembly, char **Why) {
  std::string Reason;
  if (checkJobOutput(std::string_view(Data, Size), Size, Triple, Assembly != 0,
                     Reason)) {
    *Why = nullptr;
    return 0;
  }
  *Why = copyOut(Reason);
  return 1;
}

int dtlto_judge_job(int Succeeded, const char *How, const char *Output,
                    uint64_t OutputSize, int NumOutputs,
                    const char *const *Names, const char *const *Data,
                    const uint64_t *Sizes, const char *Triple, int Assembly,
                    char **Why) {
  JobEnd End;
  End.Succeeded = Succeeded != 0;
  End.How = How ? How : "";
  End.Output.assign(Output ? Output : "", Output ? OutputSize : 0);
  std::vector<JobOutput> Outputs(NumOutputs > 0 ? NumOutputs : 0);
  for (size_t I = 0; I < Outputs.size(); ++I) {
    Outputs[I].Name = Names[I];
    Outputs[I].Present = Data[I] != nullptr;
    if (Data[I])
      Outputs[I].Head.assign(Data[I], Sizes[I] < 64 ? Sizes[I] : 64);
    Outputs[I].Size = Data[I] ? Sizes[I] : 0;
  }
  std::string Reason = judgeJob(End, Outputs, Triple ? Triple : "", Assembly);
  *Why = Reason.empty() ? nullptr : copyOut(Reason);
  return !Reason.empty();
}

int dtlto_encode_request(int NumArgs, const char *const *Args, char **Out,
                         uint64_t *OutSize) {
  std::vector<std::string> A(Args, Args + (NumArgs > 0 ? NumArgs : 0));
  std::string Request, Why;
  if (!encodeRequest(A, Request, Why)) {
    *Out = copyOut(Why);
    return 1;
  }
  *Out = static_cast<char *>(std::malloc(Request.size()));
  if (*Out)
    std::memcpy(*Out, Request.data(), Request.size());
  *OutSize = Request.size();
  return 0;
}

void dtlto_decode_reply_header(const char *Header, uint32_t *Status,
                               uint32_t *Length) {
  decodeReplyHeader(Header, *Status, *Length);
}

void dtlto_free(char *P) { std::free(P); }
