//===- LinkInputs.h - Bitcode inputs with no file of their own --*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A remote backend reads each module from a file named by its module ID, but
// archive members and FatLTO objects have no such file. LLVM 22's lto::DTLTO
// renames them to "<output dir>/<name>.<seq>.<HEXPID>.o" and writes every one
// of them before the thin link, cache hit or not. Our linker keeps those
// names (they are upstream's contract with distributors) but records each
// input here instead; the backend then writes only the files a job will read
// (the modules that miss the cache and the modules they import from), and
// names the files the user asked for (--thinlto-emit-index-files) after the
// module's original ID, as in-process ThinLTO does.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_LINKINPUTS_H
#define DTLTO_LINKINPUTS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"

#include <string>

namespace dtlto {

/// Record that the module now called \p ModuleID was called \p OriginalID
/// by the linker and that, when a job reads it, \p Contents must be written
/// to a file named \p ModuleID. \p Contents must outlive the link.
void addSerializedInput(llvm::StringRef ModuleID, llvm::StringRef OriginalID,
                        llvm::MemoryBufferRef Contents);

/// The ID the linker gave the module \p ModuleID before it was renamed for
/// distribution; \p ModuleID itself for every other module.
llvm::StringRef originalModuleID(llvm::StringRef ModuleID);

/// Write the files of those of \p ModuleIDs that were recorded and are not
/// written yet, each exactly once (created exclusively; removed on a signal
/// unless kept). Safe to call from several threads at once.
llvm::Error writeSerializedInputs(llvm::ArrayRef<std::string> ModuleIDs,
                                  bool Keep);

/// Whether our backend writes the files as its jobs need them (set when our
/// backend is created).
void setBackendWritesInputs(bool Value);
bool backendWritesInputs();

/// Remove every file written that is not kept, warning on failure.
void removeSerializedInputs();

/// The directory of this link's DTLTO files (renamed inputs, shards,
/// objects, the job file), chosen when our backend is created
/// (lib/Backend/FilesDir.cpp); the output's directory if none was chosen.
std::string linkFilesDir(llvm::StringRef LinkerOutputFile);

/// Remove the directory the link made for its files, and its lock, once
/// the directory is empty (else nothing: call again after the last file is
/// removed). The backend calls it at its end, the linker after removing
/// the renamed inputs.
void removeLinkFilesDir();

} // namespace dtlto

#endif
