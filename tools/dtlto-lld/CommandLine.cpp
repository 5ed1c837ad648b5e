//===- CommandLine.cpp - The command line as lld's drivers will read it ---===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Our options (Options.cpp) must be found wherever lld would find an option:
// build systems put long link lines in response files, and lld-link also
// reads the LINK and _LINK_ environment variables. So before anything looks
// at the arguments, they are expanded here exactly as lld 22's drivers
// expand them: @file recursively with GNU quoting (ELF on a non-Windows
// host) or Windows quoting (COFF), unless --rsp-quoting= on the command line
// itself says otherwise; for COFF, _LINK_ and then LINK inserted after the
// program name unless /lldignoreenv is given. lld then receives the expanded
// line, so it parses what we parsed, and the variables are cleared so that
// lld-link does not add them a second time.
//
//===----------------------------------------------------------------------===//

#include "Options.h"

#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Allocator.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/StringSaver.h"

#include <cstdlib>

using namespace llvm;

// The value of --rsp-quoting= (ELF also: -rsp-quoting=, and the separate
// forms) on the unexpanded command line; the last one wins, as in lld.
static StringRef quotingOption(ArrayRef<std::string> Args, bool COFF) {
  StringRef Value;
  for (size_t I = 1; I < Args.size(); ++I) {
    StringRef A = Args[I];
    if (COFF) {
      if (A.size() > 15 && A.substr(0, 15).equals_insensitive("--rsp-quoting="))
        Value = A.substr(15);
      continue;
    }
    if (!A.consume_front("--"))
      A.consume_front("-");
    if (A.consume_front("rsp-quoting=")) {
      Value = A;
    } else if (A == "rsp-quoting" && I + 1 < Args.size()) {
      Value = Args[++I];
    }
  }
  return Value;
}

static bool isIgnoreEnv(StringRef A) {
  return A.size() > 1 && (A[0] == '/' || A[0] == '-') &&
         A.drop_front().equals_insensitive("lldignoreenv");
}

std::vector<std::string>
dtlto::expandCommandLine(const std::vector<std::string> &Args, bool COFF) {
  BumpPtrAllocator Alloc;
  StringSaver Saver(Alloc);
  SmallVector<const char *, 256> Argv;
  for (const std::string &A : Args)
    Argv.push_back(A.c_str());
  if (Argv.empty())
    return Args;

  if (COFF && none_of(Args, isIgnoreEnv)) {
    for (const char *Var : {"LINK", "_LINK_"}) {
      std::optional<std::string> Value = sys::Process::GetEnv(Var);
      if (!Value)
        continue;
      SmallVector<const char *, 16> Tokens;
      cl::TokenizeWindowsCommandLine(*Value, Saver, Tokens);
      Argv.insert(Argv.begin() + 1, Tokens.begin(), Tokens.end());
      ::unsetenv(Var); // Now on the command line lld receives.
    }
  }

  // An unknown --rsp-quoting value is lld's error to report; it then uses
  // GNU quoting, as we do.
  StringRef Quoting = quotingOption(Args, COFF);
  bool Windows = Quoting.empty() ? COFF : Quoting == "windows";
  // Unreadable or cyclic response files are left for lld to report.
  (void)cl::ExpandResponseFiles(Saver,
                                Windows ? cl::TokenizeWindowsCommandLine
                                        : cl::TokenizeGNUCommandLine,
                                Argv);
  return std::vector<std::string>(Argv.begin(), Argv.end());
}
