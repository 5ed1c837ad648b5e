//===- validate.cpp - dtlto-validate, a schema-checking distributor -------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// For FileCheck tests of the job file: checks the schema as strictly as
// upstream's validate.py (exact key sets, string lists, at least two inputs
// per job: the module and its shard), then prints the distributor arguments
// and the job file, one value per line, and compiles nothing. The link then
// fails with "cannot open native object file", which tests expect.
//
//===----------------------------------------------------------------------===//

#include "dtlto/JobFile.h"

#include <cstdio>

using namespace dtlto;

static void printList(const char *Indent, const char *Key,
                      const std::vector<std::string> &L) {
  std::string Out = std::string(Indent) + "\"" + Key + "\": [";
  for (size_t I = 0; I < L.size(); ++I) {
    Out += I ? ",\n" : "\n";
    Out += std::string(Indent) + "    ";
    appendJSONString(Out, L[I]);
  }
  Out += L.empty() ? "]" : "\n" + std::string(Indent) + "]";
  std::printf("%s", Out.c_str());
}

int main(int Argc, char **Argv) {
  JobFile F;
  if (!readJobFileArg(Argc, Argv, "dtlto-validate", F))
    return 2;
  for (size_t I = 0; I < F.Jobs.size(); ++I)
    if (F.Jobs[I].Inputs.size() < 2) {
      std::fprintf(stderr,
                   "dtlto-validate: error: jobs[%zu].inputs: expected the "
                   "module and its index shard\n",
                   I);
      return 1;
    }

  std::string Args = "distributor_args=[";
  for (int I = 1; I + 1 < Argc; ++I) {
    if (I > 1)
      Args += ", ";
    appendJSONString(Args, Argv[I]);
  }
  std::printf("%s]\n{\n    \"common\": {\n        \"linker_output\": ",
              Args.c_str());
  std::string LO;
  appendJSONString(LO, F.LinkerOutput);
  std::printf("%s,\n", LO.c_str());
  printList("        ", "args", F.CommonArgs);
  std::printf(",\n");
  printList("        ", "inputs", F.CommonInputs);
  std::printf("\n    },\n    \"jobs\": [");
  for (size_t I = 0; I < F.Jobs.size(); ++I) {
    std::printf("%s\n        {\n", I ? "," : "");
    printList("            ", "args", F.Jobs[I].Args);
    std::printf(",\n");
    printList("            ", "inputs", F.Jobs[I].Inputs);
    std::printf(",\n");
    printList("            ", "outputs", F.Jobs[I].Outputs);
    std::printf("\n        }");
  }
  std::printf("%s]\n}\n", F.Jobs.empty() ? "" : "\n    ");
  return 0;
}
