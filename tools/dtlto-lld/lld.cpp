//===- lld.cpp - The dtlto multicall linker: ld.lld and lld-link ----------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Debian's lld 22 drivers, unchanged, with our ThinLTO backend bound in by
// Hook.cpp. The flavour comes from the program name (ld.lld, lld-link) or
// -flavor, as in upstream lld; only the ELF and COFF drivers are linked in.
//
//===----------------------------------------------------------------------===//

#include "Options.h"

#include "dtlto/Backend.h"

#include "lld/Common/Driver.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

#include <cstdlib>
#include <string>
#include <vector>

LLD_HAS_DRIVER(elf)
LLD_HAS_DRIVER(coff)

namespace lld {
// Defined in liblldCommon.a but not declared in lld/Common/Driver.h. With
// ExitEarly, the driver exits as soon as the output is written instead of
// freeing every data structure, as upstream's lld executable does; lldMain()
// would free them all (~20 ms on a 300-module link).
Result unsafeLldMain(llvm::ArrayRef<const char *> Args,
                     llvm::raw_ostream &StdoutOS, llvm::raw_ostream &StderrOS,
                     llvm::ArrayRef<DriverDef> Drivers, bool ExitEarly);
} // namespace lld

using namespace llvm;

// lld's own flavour detection, reduced to the two drivers we carry. Returns
// true for COFF. Other flavours are rejected here with a clear message.
static bool isCOFF(ArrayRef<const char *> Argv, bool &Known) {
  Known = true;
  for (size_t I = 1; I + 1 < Argv.size(); ++I)
    if (StringRef(Argv[I]) == "-flavor") {
      StringRef F = Argv[I + 1];
      if (F == "gnu")
        return false;
      if (F == "link")
        return true;
      Known = false;
      return false;
    }
  StringRef Name = sys::path::stem(Argv[0]);
  if (Name.contains("lld-link") || Name.contains("link"))
    return true;
  if (Name.contains("ld.lld") || Name == "ld" || Name.ends_with("-ld") ||
      Name == "lld" || Name.contains("dtlto-lld"))
    return false;
  Known = false;
  return false;
}

// -m i386pep / -m thumb2pe ... select lld's MinGW driver, which we do not
// carry (and which rejects the DTLTO options in 22 anyway).
static bool isMinGW(ArrayRef<std::string> Argv) {
  for (size_t I = 1; I < Argv.size(); ++I) {
    StringRef A = Argv[I], Emul;
    if (A == "-m" && I + 1 < Argv.size())
      Emul = Argv[I + 1];
    else if (A.starts_with("-m") && A.ends_with("pe") && A.size() > 2)
      Emul = A.drop_front(2);
    if (Emul.ends_with("pe") || Emul.ends_with("pep"))
      return true;
  }
  return false;
}

int main(int Argc, const char **Argv) {
  InitLLVM X(Argc, Argv);
  std::vector<const char *> Args(Argv, Argv + Argc);
  bool Known;
  bool COFF = isCOFF(Args, Known);
  if (!Known) {
    WithColor::error(errs(), "dtlto-lld")
        << "unsupported linker flavour for '" << Argv[0]
        << "': this linker provides only the ELF (ld.lld, -flavor gnu) and "
           "COFF (lld-link, -flavor link) drivers\n";
    return 1;
  }
  // Everything below reads the command line lld will read.
  std::vector<std::string> Storage = dtlto::expandCommandLine(
      std::vector<std::string>(Args.begin(), Args.end()), COFF);
  if (!COFF && isMinGW(Storage)) {
    WithColor::error(errs(), "ld.lld")
        << "MinGW targets (-m i386pep and friends) are not supported by this "
           "linker; use Debian's ld.lld-22 for MinGW links\n";
    return 1;
  }

  Storage = dtlto::translateLegacyOptions(std::move(Storage), COFF);
  std::string Err;
  if (!dtlto::takeOwnOptions(Storage, COFF, Err)) {
    errs() << sys::path::filename(Args[0]) << ": error: " << Err << "\n";
    return 1;
  }
  // Its start-up then overlaps lld's reading of the inputs.
  dtlto::startEarlyServer(dtlto::backendOptions());
  std::vector<const char *> NewArgs;
  for (const std::string &S : Storage)
    NewArgs.push_back(S.c_str());

  lld::Result R = lld::unsafeLldMain(
      NewArgs, outs(), errs(),
      {{lld::Gnu, &lld::elf::link}, {lld::WinLink, &lld::coff::link}},
      /*ExitEarly=*/true);
  return R.retCode;
}
