//===- RemoteCommand.cpp - Translate lto::Config to compiler flags --------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The remote compiler (clang 22) must generate code the way the in-process
// backend would. This file holds the translation from lto::Config and its
// TargetOptions to clang driver flags, in the order LLVM 22 emits them so
// that job files stay comparable with upstream's.
//
//===----------------------------------------------------------------------===//

#include "RemoteCommand.h"

using namespace llvm;
using namespace dtlto;

std::vector<std::string> dtlto::buildCommonArgs(const lto::Config &Conf,
                                                const Triple &TT,
                                                const RemoteCompiler &RC) {
  std::vector<std::string> A;
  A.push_back(RC.Path);
  A.insert(A.end(), RC.PrependArgs.begin(), RC.PrependArgs.end());
  A.push_back("-c");
  A.push_back("--target=" + TT.str());
  A.push_back("-O" + std::to_string(Conf.OptLevel));
  if (Conf.Options.EmitAddrsig)
    A.push_back("-faddrsig");
  if (Conf.Options.FunctionSections)
    A.push_back("-ffunction-sections");
  if (Conf.Options.DataSections)
    A.push_back("-fdata-sections");
  if (Conf.RelocModel == Reloc::PIC_ && !TT.isOSBinFormatCOFF())
    A.push_back("-fpic");
  if (!Conf.PGOWarnMismatch) {
    A.push_back("-mllvm");
    A.push_back("-no-pgo-warn-mismatch");
  }
  if (!Conf.SampleProfile.empty())
    A.push_back("-fprofile-sample-use=" + Conf.SampleProfile);
  A.push_back("-Wno-unused-command-line-argument");
  A.insert(A.end(), RC.Args.begin(), RC.Args.end());
  return A;
}

std::vector<std::string> dtlto::buildCommonInputs(const lto::Config &Conf) {
  if (Conf.SampleProfile.empty())
    return {};
  return {Conf.SampleProfile};
}
