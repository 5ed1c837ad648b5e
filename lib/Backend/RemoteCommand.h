//===- RemoteCommand.h - Translate lto::Config to compiler flags -*- C++
//-*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Builds `common.args`, the part of every remote compile command that comes
// from the link's configuration rather than from the module.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_LIB_BACKEND_REMOTECOMMAND_H
#define DTLTO_LIB_BACKEND_REMOTECOMMAND_H

#include "llvm/LTO/Config.h"
#include "llvm/TargetParser/Triple.h"

#include <string>
#include <vector>

namespace dtlto {

struct RemoteCompiler {
  std::string Path;
  std::vector<std::string> PrependArgs;
  std::vector<std::string> Args;
};

/// The common arguments in LLVM 22's order: compiler, prepend args, -c,
/// --target, -O, addrsig, sections, -fpic, PGO mismatch, sample profile,
/// -Wno-unused-command-line-argument, user args.
std::vector<std::string> buildCommonArgs(const llvm::lto::Config &Conf,
                                         const llvm::Triple &TT,
                                         const RemoteCompiler &RC);

/// Files every job needs besides its own (the sample profile).
std::vector<std::string> buildCommonInputs(const llvm::lto::Config &Conf);

} // namespace dtlto

#endif
