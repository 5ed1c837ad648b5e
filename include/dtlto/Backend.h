//===- Backend.h - Out-of-process ThinLTO backend factory -------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The one entry point of the backend library. Like llvm/lib/LTO's factories
// it hides the backend class: callers get an lto::ThinBackend and nothing else.
// The parameters are LLVM 22's createOutOfProcessThinBackend's, so the linker
// hook can forward lld's call unchanged.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_BACKEND_H
#define DTLTO_BACKEND_H

#include "llvm/LTO/LTO.h"

#include <string>
#include <vector>

namespace dtlto {

/// Behaviour beyond LLVM 22's DTLTO, chosen by our linker's and driver's own
/// options before the link starts (lld's call carries only upstream's).
struct BackendOptions {
  /// Compile in the linker, with the in-process ThinLTO backend, every module
  /// whose job failed or whose distributor failed, instead of failing.
  bool Fallback = false;
  /// Stop the distributor's process group after this many seconds (0: no
  /// limit); then the link fails, or falls back.
  unsigned DistributorTimeout = 0;
  /// Pass the linker's -mllvm options on to the remote compiler.
  bool ForwardMllvm = true;
  /// The linker's -plugin-opt=-<option> arguments, which lld parses into
  /// LLVM's options but does not keep in lto::Config::MllvmArgs.
  std::vector<std::string> PluginOptions;
  /// The code-generation level was given (--lto-CGO), not derived from -O.
  bool ExplicitCGOptLevel = false;
  /// The directory for the link's DTLTO files (--thinlto-temp-dir=); empty:
  /// chosen by lib/Backend/FilesDir.cpp.
  std::string TempDir;
  /// What the linker's command line says of the distributor and the remote
  /// compiler, read before lld starts (for startEarlyServer).
  std::string Distributor, RemoteCompiler;
  std::vector<std::string> DistributorArgs;
  bool HasCache = false, HasPrependArgs = false;
};
/// Set before the link; each backend copies them when it is created.
BackendOptions &backendOptions();

/// Start the dtlto-codegen server the link's jobs will run on now, before
/// lld reads its inputs, if dtlto-dist will surely run them on one
/// (lib/Backend/EarlyServer.cpp); else nothing.
void startEarlyServer(const BackendOptions &O);
/// The distributor argument that hands the early server to dtlto-dist and
/// the descriptors the distributor must inherit; false if there is none.
bool earlyServerArgs(std::string &Arg, std::vector<int> &Fds);
/// Close the linker's ends of the early server's lanes (it ends once the
/// distributor has closed its own) and wait for it to end.
void endEarlyServer();
/// Send \p Sig to the early server's process group (async-signal-safe).
void stopEarlyServer(int Sig);

/// Print how every lto::Config / TargetOptions field and every code-generation
/// flag reaches the remote compiler: "<Struct>.<Field> <How> <note>" and
/// "codegen-flag <name> <How> <clang flag>" lines (lib/Backend/*.def).
void printFieldTable(llvm::raw_ostream &OS);

/// Add the remote backends' statistics to the link's statistics file
/// (--plugin-opt=stats-file=), which LLVM has written by now with the
/// linker's own counters; a no-op when no job wrote any. A linker calls it
/// once lto::LTO::run has returned (our ld.lld: from lto::DTLTO::cleanup).
llvm::Error mergeRemoteStatistics();

/// Create a ThinLTO backend that hands every backend compilation to the
/// \p Distributor process through a JSON job file and feeds the native
/// objects it produces back into the link (or the ThinLTO cache).
llvm::lto::ThinBackend createOutOfProcessThinBackend(
    llvm::ThreadPoolStrategy Parallelism, llvm::lto::IndexWriteCallback OnWrite,
    bool ShouldEmitIndexFiles, bool ShouldEmitImportsFiles,
    llvm::StringRef LinkerOutputFile, llvm::StringRef Distributor,
    llvm::ArrayRef<llvm::StringRef> DistributorArgs,
    llvm::StringRef RemoteCompiler,
    llvm::ArrayRef<llvm::StringRef> RemoteCompilerPrependArgs,
    llvm::ArrayRef<llvm::StringRef> RemoteCompilerArgs, bool SaveTemps);

} // namespace dtlto

#endif // DTLTO_BACKEND_H
