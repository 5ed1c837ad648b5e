//===- LTOConfigFile.h - The link's lto::Config for remote backends -*- C++
//-*-//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A clang command line cannot say everything lto::Config can (--lto-O1's
// code-generation level, split DWARF's per-task .dwo, custom pipelines, ...).
// When the remote compiler is our worker, the linker writes the whole
// configuration to a file that every job reads, and the worker runs LLVM's
// own ThinLTO backend with it, as in-process ThinLTO does.
//
// The file is a header line ("dtlto-lto-config <version> llvm <version>
// xxh3 <hash of the rest>") and a JSON object with one key per field of
// LTOConfigFields.def. Reading is strict: another format version, another
// LLVM release, a wrong hash, an unknown, missing or mistyped field is an
// error naming the file, never a silently different object.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_LTOCONFIGFILE_H
#define DTLTO_LTOCONFIGFILE_H

#include "llvm/LTO/Config.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/raw_ostream.h"

#include <string>
#include <vector>

namespace dtlto {

/// The format version; a reader refuses any other.
constexpr unsigned LTOConfigVersion = 1;

/// What a worker needs besides lto::Config's data fields.
struct WorkerSettings {
  /// LLVM options the linker parsed (its -mllvm and -plugin-opt=-<option>
  /// arguments, without the code-generation flags, whose values are in the
  /// configuration already); the worker parses them the same way.
  std::vector<std::string> LLVMOptions;
};

/// The file's contents for \p Conf.
std::string writeLTOConfig(const llvm::lto::Config &Conf,
                           const WorkerSettings &Settings);

/// Fill \p Conf and \p Settings from \p Text, read from the file \p Name
/// (which errors name). Fields of kind Code are left as they are.
llvm::Error readLTOConfig(llvm::StringRef Text, llvm::StringRef Name,
                          llvm::lto::Config &Conf, WorkerSettings &Settings);

/// "<Struct>.<Field> <Kind>" for every entry of LTOConfigFields.def.
void printLTOConfigFields(llvm::raw_ostream &OS);

/// The arguments of a worker job beyond upstream's four, as the linker
/// writes them and dtlto-codegen reads them (each followed by its value).
namespace workerjob {
constexpr const char ConfigFlag[] = "--thinlto-config=";
constexpr const char TaskFlag[] = "--thinlto-task=";
constexpr const char StatsFlag[] = "--thinlto-stats=";
constexpr const char DwoFlag[] = "--thinlto-dwo-output=";
constexpr const char RemarksFlag[] = "--thinlto-remarks-output=";
} // namespace workerjob

/// Where in-process ThinLTO writes task \p Task's split-DWARF file
/// (<dwo_dir>/<task>.dwo, also the name the object records), or "" without
/// a dwo_dir.
std::string inProcessDwoFile(const llvm::lto::Config &Conf, unsigned Task);

/// Where in-process ThinLTO writes task \p Task's remarks
/// (<file>.thin.<task>.<format>), or "" without a remarks file.
std::string inProcessRemarksFile(const llvm::lto::Config &Conf, unsigned Task);

} // namespace dtlto

#endif // DTLTO_LTOCONFIGFILE_H
