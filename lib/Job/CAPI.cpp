//===- CAPI.cpp - The job-file library's C interface ----------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Thin wrappers: the logic stays in JobFile.cpp and ObjectCheck.cpp.
//
//===----------------------------------------------------------------------===//

#include "dtlto/CAPI.h"
#include "dtlto/JobFile.h"
#include "dtlto/ObjectCheck.h"

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
      (!AllowPathEscape && !checkOutputPaths(F, Err)) ||
      !writeJobFile(F, Text, Err)) {
    *Out = copyOut(Err);
    return 1;
  }
  // Insert "target" right after the opening brace of the top-level object.
  std::string Target = "\"target\":";
  appendJSONString(Target, targetFromArgs(F.CommonArgs));
  Target += ",\"assembly\":";
  Target += emitsAssembly(F.CommonArgs) ? "true," : "false,";
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

void dtlto_free(char *P) { std::free(P); }
