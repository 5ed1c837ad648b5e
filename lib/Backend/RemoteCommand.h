//===- RemoteCommand.h - lto::Config to compiler flags ---------*- C++ -*-===//
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

#include "dtlto/Backend.h"

#include "llvm/LTO/Config.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Triple.h"

#include <string>
#include <vector>

namespace dtlto {

struct RemoteCompiler {
  std::string Path;
  std::vector<std::string> PrependArgs;
  std::vector<std::string> Args;
};

struct RemoteCommand {
  std::vector<std::string> Args;     ///< common.args
  std::vector<std::string> Inputs;   ///< common.inputs
  std::vector<std::string> Warnings; ///< Options the remote jobs ignore.
  /// The remote compiler is our worker (dtlto-codegen), which runs LLVM's
  /// ThinLTO backend with the link's lto::Config: ConfigText is to be
  /// written to the configuration file named to buildRemoteCommand, and
  /// each job gets --thinlto-task=<task>.
  bool Worker = false;
  std::string ConfigText;
};

/// Whether \p CompilerPath names our worker rather than a clang.
bool isWorker(llvm::StringRef CompilerPath);

/// The common arguments: LLVM 22's in its order (compiler, prepend args, -c,
/// --target, -O, addrsig, sections, -fpic, PGO mismatch, sample profile,
/// -Wno-unused-command-line-argument), then every other Config field that
/// differs from clang 22's default (FieldTable.def), then the user's
/// remote-compiler args. Fails, naming the option, for a setting clang 22
/// cannot take. \p Extra gives the linker's -plugin-opt=- options, whether
/// to forward -mllvm and whether --lto-CGO was explicit; \p SaveTemps that
/// module hooks come from --save-temps. For our worker instead: the worker
/// and its configuration file \p ConfigPath (whose text the command holds),
/// refusing only what lives in the linker's code.
llvm::Expected<RemoteCommand>
buildRemoteCommand(const llvm::lto::Config &Conf, const llvm::Triple &TT,
                   const RemoteCompiler &RC, const BackendOptions &Extra,
                   bool SaveTemps, llvm::StringRef ConfigPath);

/// A file a worker job writes besides its object, and the job argument
/// that names it (so that a distributor may move it, as it moves outputs
/// named in arguments).
struct SideOutput {
  std::string Flag; ///< workerjob::DwoFlag or workerjob::RemarksFlag
  std::string Path;
};

/// The files a worker job writes besides its object, named as in-process
/// ThinLTO names them for \p Task: the split-DWARF .dwo
/// (<dwo_dir>/<task>.dwo) and the remarks (<file>.thin.<task>.<format>).
std::vector<SideOutput> workerSideOutputs(const llvm::lto::Config &Conf,
                                          unsigned Task);

} // namespace dtlto

#endif
