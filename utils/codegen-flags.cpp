//===- codegen-flags.cpp - List LLVM's code-generation flags --------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Prints, one per line, the command-line flags that a tool registers when it
// constructs llvm::codegen::RegisterCodeGenFlags (as lld and llvm-lto2 do)
// and that clang therefore does not have. test/fidelity/field-table.test
// builds this against the installed libLLVM and compares the list with
// lib/Backend/CodeGenFlags.def.
//
//===----------------------------------------------------------------------===//

#include "llvm/CodeGen/CommandFlags.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/raw_ostream.h"

#include <set>
#include <string>

using namespace llvm;

int main() {
  std::set<std::string> Before;
  for (const auto &E : cl::getRegisteredOptions())
    Before.insert(E.first.str());
  codegen::RegisterCodeGenFlags Flags;
  std::set<std::string> Added;
  for (const auto &E : cl::getRegisteredOptions())
    if (!Before.count(E.first.str()))
      Added.insert(E.first.str());
  for (const std::string &Name : Added)
    outs() << Name << '\n';
}
