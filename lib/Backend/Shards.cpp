//===- Shards.cpp - Each DTLTO job's summary-index shard ------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What a job reads besides its module: the shard of the combined index
// (LLVM's summaries for the module and its imports, plus a flags-only
// summary of every global it uses, so codegen matches in-process ThinLTO),
// written exclusively and repaired where LLVM 22 corrupts module paths, and
// the index and imports files the user asked for.
//
//===----------------------------------------------------------------------===//

#include "OutOfProcessBackend.h"
#include "ShardRepair.h"
#include "WriteFile.h"

#include "dtlto/LinkInputs.h"

#include "llvm/Bitcode/BitcodeWriter.h"

using namespace llvm;
using namespace dtlto;
using namespace dtlto::backend;

// LLVM's emitFiles, with every write checked (it leaves a failed write, a
// full disk, to raw_fd_ostream's destructor, which aborts the linker), the
// shard's module paths repaired where LLVM 22 corrupts them, and the files
// the user asked for named after the module as the linker knows it (an
// archive member's "lib.a(m.o at 80)", not its temporary file), as
// in-process ThinLTO names them: <module>.thinlto.bc (a copy of the shard)
// and <module>.imports.
Error OutOfProcessThinBackend::writeShard(
    JobState &J, const FunctionImporter::ImportMapTy &ImportList, bool AsJob) {
  ModuleToSummariesForIndexTy ModuleToSummaries;
  GVSummaryPtrSet DeclarationSummaries;
  std::vector<std::unique_ptr<GlobalValueSummary>> Made;
  gatherImportedSummariesForModule(J.ModuleID, ModuleToDefinedGVSummaries,
                                   ImportList, ModuleToSummaries,
                                   DeclarationSummaries);
  addReferencedDeclarations(J, ModuleToSummaries, DeclarationSummaries, Made);
  std::vector<std::string> Imports;
  processImportsFiles(J.ModuleID, ModuleToSummaries,
                      [&](const std::string &F) { Imports.push_back(F); });
  std::string UserName = originalModuleID(J.ModuleID).str();

  if (AsJob || Opts.ShouldEmitIndexFiles) {
    SmallString<0> Buf;
    raw_svector_ostream OS(Buf);
    writeIndexToFile(CombinedIndex, OS, &ModuleToSummaries,
                     &DeclarationSummaries);
    std::vector<std::string> Modules = {J.ModuleID};
    Modules.insert(Modules.end(), Imports.begin(), Imports.end());
    if (any_of(Modules, [](const std::string &M) { return hasNonASCII(M); }))
      if (Error E = repairModulePaths(Buf, J.Shard, Modules, CombinedIndex))
        return backendError(toString(std::move(E)) + " (job for module '" +
                            J.ModuleID + "')");
    if (AsJob) {
      if (Error E = writeNewFile(J.Shard, Buf))
        return fileError("index shard", J.Shard, J, std::move(E));
      J.Imports.assign(Imports.begin(), Imports.end());
    }
    std::string IndexFile = UserName + ".thinlto.bc";
    if (Opts.ShouldEmitIndexFiles)
      if (Error E = writeFileChecked(IndexFile, Buf))
        return fileError("index file", IndexFile, J, std::move(E));
  }
  if (ShouldEmitImportsFiles) {
    std::string Text, ImportsFile = UserName + ".imports";
    for (const std::string &F : Imports)
      (Text += originalModuleID(F)) += '\n';
    if (Error E = writeFileChecked(ImportsFile, Text))
      return fileError("imports file", ImportsFile, J, std::move(E));
  }
  return Error::success();
}

// In-process, a ThinLTO backend reads from the combined index what the thin
// link found out about every global its module uses: whether it is local to
// the output (dso_local), whether it can be hidden, ... A shard as LLVM 22
// writes it carries summaries only for the module's own globals and its
// imports, so a backend run from it reaches another module's function or
// variable through the GOT, or a TLS variable with the initial-exec model,
// where in-process codegen uses a direct access. We add a summary for every
// global referenced or called by the module's own definitions and by the
// definitions it imports.
//
// These are made here, not copied: a summary carries its module, and a
// backend loads every module other than its own that a summary of the shard
// names (to import from it, even only declarations: LLVM's
// -import-declaration), which costs each job milliseconds per module. So
// each summary added is filed under the job's own module, where the backend
// imports nothing from it, and holds no code, calls or references, only the
// flags in-process codegen reads for a declaration: linkage, visibility,
// liveness, and dso_local and auto-hide as the combined index answers them.
// No definition of the module can be affected: all of those have summaries
// of their own in the shard already, and a function summary without
// function flags propagates no attributes.
void OutOfProcessThinBackend::addReferencedDeclarations(
    const JobState &J, ModuleToSummariesForIndexTy &ModuleToSummaries,
    GVSummaryPtrSet &DeclarationSummaries,
    std::vector<std::unique_ptr<GlobalValueSummary>> &Made) {
  DenseSet<GlobalValue::GUID> InShard;
  std::vector<GlobalValueSummary *> Users;
  for (const auto &Entry : ModuleToSummaries)
    for (const auto &[GUID, S] : Entry.second) {
      InShard.insert(GUID);
      if (!DeclarationSummaries.count(S))
        Users.push_back(S);
    }
  auto OwnPath = CombinedIndex.modulePaths().find(J.ModuleID);
  if (OwnPath == CombinedIndex.modulePaths().end())
    return;
  GVSummaryMapTy &Own = ModuleToSummaries[J.ModuleID];
  auto Visit = [&](ValueInfo VI) {
    if (!VI || VI.getSummaryList().empty() ||
        !InShard.insert(VI.getGUID()).second)
      return;
    const GlobalValueSummary *First = VI.getSummaryList().front().get();
    const GlobalValueSummary *Base =
        isa<AliasSummary>(First) && cast<AliasSummary>(First)->hasAliasee()
            ? First->getBaseObject()
            : First;
    std::unique_ptr<GlobalValueSummary> S;
    if (auto *Var = dyn_cast<GlobalVarSummary>(Base))
      S = std::make_unique<GlobalVarSummary>(First->flags(), Var->varflags(),
                                             SmallVector<ValueInfo, 0>());
    else
      S = std::make_unique<FunctionSummary>(
          FunctionSummary::makeDummyFunctionSummary(
              SmallVector<FunctionSummary::EdgeTy, 0>()));
    S->setLinkage(First->linkage());
    S->setVisibility(First->getVisibility());
    S->setLive(First->isLive());
    S->setDSOLocal(VI.isDSOLocal(CombinedIndex.withDSOLocalPropagation()));
    S->setCanAutoHide(VI.canAutoHide());
    S->setImportKind(GlobalValueSummary::Declaration);
    S->setOriginalName(First->getOriginalName());
    S->setModulePath(OwnPath->first());
    Own[VI.getGUID()] = S.get();
    DeclarationSummaries.insert(S.get());
    Made.push_back(std::move(S));
  };
  for (GlobalValueSummary *S : Users) {
    GlobalValueSummary *Base = S->getBaseObject();
    if (auto *FS = dyn_cast<FunctionSummary>(Base))
      for (const auto &Call : FS->calls())
        Visit(Call.first);
    for (ValueInfo Ref : Base->refs())
      Visit(Ref);
  }
}
