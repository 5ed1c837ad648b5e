//===- clang.cpp - dtlto-clang / dtlto-clang++ compiler wrappers ----------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `make CC=dtlto-clang` should just work: this execs Debian's clang-22 with
// --ld-path pointing at our ld.lld (next to this executable) when the command
// links, and turns the design-era `-Xdist <arg>` into clang 22's
// `-Xthinlto-distributor=<arg>`. dtlto-clang++ selects the C++ driver mode.
// Nothing else is changed, so every clang diagnostic stays clang's.
//
//===----------------------------------------------------------------------===//

#include "dtlto/Files.h"

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstring>
#include <string>
#include <unistd.h>
#include <vector>

static bool startsWith(const std::string &S, const char *P) {
  return S.rfind(P, 0) == 0;
}

int main(int Argc, char **Argv) {
  std::string Name = Argv[0];
  Name = Name.substr(Name.rfind('/') + 1);
  bool CXX = Name.size() >= 2 && Name.compare(Name.size() - 2, 2, "++") == 0;

  std::vector<std::string> Args = {DTLTO_CLANG};
  if (CXX)
    Args.push_back("--driver-mode=g++");
  bool Links = true, HasLdPath = false;
  for (int I = 1; I < Argc; ++I) {
    std::string A = Argv[I];
    if (A == "-Xdist" && I + 1 < Argc) {
      Args.push_back(std::string("-Xthinlto-distributor=") + Argv[++I]);
      continue;
    }
    if (startsWith(A, "-Xdist=")) {
      Args.push_back("-Xthinlto-distributor=" + A.substr(7));
      continue;
    }
    if (A == "-c" || A == "-S" || A == "-E" || A == "-M" || A == "-MM" ||
        A == "-fsyntax-only" || A == "--precompile" || A == "-emit-ast" ||
        A == "--version")
      Links = false;
    HasLdPath |= startsWith(A, "--ld-path=");
    Args.push_back(A);
  }
  if (Links && !HasLdPath && Argc > 1)
    Args.insert(Args.begin() + 1,
                "--ld-path=" + dtlto::executableDir() + "/ld.lld");

  std::vector<char *> CArgs;
  for (std::string &A : Args)
    CArgs.push_back(A.data());
  CArgs.push_back(nullptr);
  ::execv(CArgs[0], CArgs.data());
  std::fprintf(stderr, "%s: error: cannot run '%s': %s\n", Name.c_str(),
               DTLTO_CLANG, std::strerror(errno));
  return 127;
}
