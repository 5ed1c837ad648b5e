//===- Hook.cpp - Bind lld's DTLTO backend call to ours -------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// lld 22 already parses every DTLTO option and calls
// llvm::lto::createOutOfProcessThinBackend. Defining that exact function in
// this executable makes the static link bind lld's (static library) call here
// instead of to libLLVM's definition. CMake checks after the build that the
// executable defines the symbol, so a signature change in a later LLVM fails
// the build instead of silently falling back to upstream's backend.
//
//===----------------------------------------------------------------------===//

#include "dtlto/Backend.h"

llvm::lto::ThinBackend llvm::lto::createOutOfProcessThinBackend(
    ThreadPoolStrategy Parallelism, IndexWriteCallback OnWrite,
    bool ShouldEmitIndexFiles, bool ShouldEmitImportsFiles,
    StringRef LinkerOutputFile, StringRef Distributor,
    ArrayRef<StringRef> DistributorArgs, StringRef RemoteCompiler,
    ArrayRef<StringRef> RemoteCompilerPrependArgs,
    ArrayRef<StringRef> RemoteCompilerArgs, bool SaveTemps) {
  return dtlto::createOutOfProcessThinBackend(
      Parallelism, OnWrite, ShouldEmitIndexFiles, ShouldEmitImportsFiles,
      LinkerOutputFile, Distributor, DistributorArgs, RemoteCompiler,
      RemoteCompilerPrependArgs, RemoteCompilerArgs, SaveTemps);
}
