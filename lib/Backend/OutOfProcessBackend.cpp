//===- OutOfProcessBackend.cpp - ThinLTO backend run by a distributor -----===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The ThinBackendProc that makes a link distributed. start() is called once
// per ThinLTO module: it looks the module up in the ThinLTO cache and, on a
// miss, writes the module's summary-index shard. wait() writes one JSON job
// file for every miss, runs the distributor, checks every native object it
// produced and adds it to the link (through the cache on a miss).
//
// Differences from LLVM 22, each deliberate: cache hits write no shard and
// make no job, no job file or distributor run when nothing is left to do,
// the import/index write callback is honoured (so lld does not leave 0-byte
// index and imports files behind), a missing remote compiler is the clang of
// our LLVM (LLVM 22 writes ""), and every output is validated before it can
// reach the link.
//
//===----------------------------------------------------------------------===//

#include "dtlto/Backend.h"
#include "dtlto/JobFile.h"
#include "dtlto/LinkInputs.h"
#include "dtlto/ObjectCheck.h"

#include "CacheSalt.h"
#include "Distributor.h"
#include "RemoteCommand.h"
#include "RemoteStatistics.h"
#include "ShardRepair.h"
#include "TempFiles.h"
#include "WriteFile.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/LTO/LTOBackend.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Support/TimeProfiler.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/IPO/FunctionImport.h"

using namespace llvm;
using namespace dtlto;

namespace {

struct Options {
  bool ShouldEmitIndexFiles;
  std::string LinkerOutputFile;
  std::string Distributor;
  std::vector<std::string> DistributorArgs;
  RemoteCompiler Compiler;
  bool SaveTemps;
};

/// One ThinLTO module's backend compilation.
struct JobState {
  bool Started = false;
  bool Cached = false;
  unsigned Task = 0;
  std::string ModuleID;
  std::string NativeObject;
  std::string Shard;
  lto::ImportsFilesContainer Imports;
  AddStreamFn CacheAddStream;
  std::unique_ptr<MemoryBuffer> Object; // Validated distributor output.
  // For compiling in the linker when the job fails (--fallback).
  std::optional<BitcodeModule> BM;
  const FunctionImporter::ImportMapTy *ImportList = nullptr;
  MapVector<StringRef, BitcodeModule> *ModuleMap = nullptr;
  std::string Failure; // Why the job's output was not usable.
};

} // namespace

namespace {

Error backendError(const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(),
                           "DTLTO backend compilation: " + Msg);
}

Error fileError(StringRef What, StringRef Path, const JobState &J, Error E) {
  return backendError("cannot write the " + What + " '" + Path +
                      "' for module '" + J.ModuleID +
                      "': " + toString(std::move(E)));
}

class OutOfProcessThinBackend : public lto::ThinBackendProc {
public:
  OutOfProcessThinBackend(
      const lto::Config &Conf, ModuleSummaryIndex &CombinedIndex,
      ThreadPoolStrategy Parallelism,
      const DenseMap<StringRef, GVSummaryMapTy> &ModuleToDefinedGVSummaries,
      AddStreamFn AddStream, FileCache Cache, lto::IndexWriteCallback OnWrite,
      bool ShouldEmitImportsFiles, Options Opts)
      : ThinBackendProc(Conf, CombinedIndex, ModuleToDefinedGVSummaries,
                        OnWrite, ShouldEmitImportsFiles, Parallelism),
        AddStream(std::move(AddStream)), Cache(std::move(Cache)),
        Opts(std::move(Opts)),
        PID(std::to_string(sys::Process::getProcessId())) {
    OutputDir = sys::path::parent_path(this->Opts.LinkerOutputFile).str();
  }

  void setup(unsigned NumTasks, unsigned TaskOffset, Triple TT) override {
    Jobs.resize(NumTasks);
    this->TaskOffset = TaskOffset;
    this->TT = std::move(TT);
    // Hashed into the cache key: DTLTO and in-process entries never mix.
    Conf.Dtlto = true;
    SmallString<256> ConfigPath(OutputDir);
    sys::path::append(ConfigPath, sys::path::stem(Opts.LinkerOutputFile) + "." +
                                      PID + ".lto-config");
    Expected<RemoteCommand> Cmd = chooseRemoteCommand(ConfigPath);
    if (!Cmd) {
      SetupError = toString(Cmd.takeError());
      return;
    }
    if (Cmd->Worker) {
      // Every job reads the configuration; in-process ThinLTO creates the
      // .dwo directory itself, a job may run where it cannot.
      Worker = true;
      Temps.add(std::string(ConfigPath), Opts.SaveTemps);
      if (Error E = writeNewFile(std::string(ConfigPath), Cmd->ConfigText)) {
        SetupError =
            toString(backendError("cannot write the LTO configuration file '" +
                                  ConfigPath + "': " + toString(std::move(E))));
        return;
      }
      if (!Conf.DwoDir.empty())
        if (std::error_code EC = sys::fs::create_directories(Conf.DwoDir)) {
          SetupError =
              toString(backendError("cannot create the split DWARF "
                                    "directory '" +
                                    Conf.DwoDir + "': " + EC.message()));
          return;
        }
    }
    CommonArgs = std::move(Cmd->Args);
    CommonInputs = std::move(Cmd->Inputs);
    for (const std::string &W : Cmd->Warnings)
      warn("DTLTO: " + W);
    // Our objects come from the remote compiler: its command, identity and
    // inputs salt the key (only a link with a cache needs it).
    if (Cache.isValid())
      CacheSalt = cacheSalt(CommonArgs, CommonInputs);
  }

  /// The remote command for the compiler the user named; with none, the
  /// clang of our LLVM (as clang's driver would pass itself), or our worker
  /// beside the linker when the link's options need LLVM's own backend.
  Expected<RemoteCommand> chooseRemoteCommand(StringRef ConfigPath) {
    const BackendOptions &Extra = backendOptions();
    if (!Opts.Compiler.Path.empty())
      return buildRemoteCommand(Conf, TT, Opts.Compiler, Extra, Opts.SaveTemps,
                                ConfigPath);
    RemoteCompiler RC = Opts.Compiler;
    RC.Path = DTLTO_DEFAULT_REMOTE_COMPILER;
    Expected<RemoteCommand> Cmd =
        buildRemoteCommand(Conf, TT, RC, Extra, Opts.SaveTemps, ConfigPath);
    std::string Why = !Cmd                    ? toString(Cmd.takeError())
                      : Cmd->Warnings.empty() ? ""
                                              : "DTLTO: " + Cmd->Warnings[0];
    std::string WorkerPath = workerBesideLinker();
    if (!Why.empty() && !WorkerPath.empty()) {
      WithColor::note() << "no remote compiler was given "
                           "(--thinlto-remote-compiler=) and clang cannot "
                           "take this link's options ("
                        << Why << "); using the worker " << WorkerPath << "\n";
      RC.Path = WorkerPath;
      return buildRemoteCommand(Conf, TT, RC, Extra, Opts.SaveTemps,
                                ConfigPath);
    }
    if (!Cmd)
      return createStringError(inconvertibleErrorCode(), Why);
    if (!sys::fs::can_execute(DTLTO_DEFAULT_REMOTE_COMPILER))
      return backendError(
          "no remote compiler was given and the default, " +
          Twine(DTLTO_DEFAULT_REMOTE_COMPILER) +
          ", is not installed; name the compiler that runs the backend "
          "jobs with --thinlto-remote-compiler=<path to clang>");
    Opts.Compiler.Path = DTLTO_DEFAULT_REMOTE_COMPILER;
    WithColor::note() << "DTLTO: no remote compiler was given "
                         "(--thinlto-remote-compiler=); using "
                      << Opts.Compiler.Path << "\n";
    return Cmd;
  }

  /// Where a worker job writes its statistics (a temporary file).
  static std::string statsOutput(const JobState &J) {
    return J.NativeObject + ".stats.json";
  }

  /// dtlto-codegen installed beside the running linker, or "".
  static std::string workerBesideLinker() {
    std::string Self = sys::fs::getMainExecutable(nullptr, nullptr);
    if (Self.empty())
      return "";
    SmallString<256> Path(sys::path::parent_path(Self));
    sys::path::append(Path, "dtlto-codegen");
    return sys::fs::can_execute(Path) ? std::string(Path) : "";
  }

  // Job files list jobs in task (input) order, as LLVM 22 does.
  bool isSensitiveToInputOrder() override { return true; }

  Error start(
      unsigned Task, BitcodeModule BM,
      const FunctionImporter::ImportMapTy &ImportList,
      const FunctionImporter::ExportSetTy &ExportList,
      const std::map<GlobalValue::GUID, GlobalValue::LinkageTypes> &ResolvedODR,
      MapVector<StringRef, BitcodeModule> &ModuleMap) override;

  Error wait() override;

private:
  void prepareJob(JobState &J, const FunctionImporter::ImportMapTy &ImportList,
                  const FunctionImporter::ExportSetTy &ExportList,
                  const std::map<GlobalValue::GUID, GlobalValue::LinkageTypes>
                      &ResolvedODR);
  Error lookUpCache(JobState &J,
                    const FunctionImporter::ImportMapTy &ImportList,
                    const FunctionImporter::ExportSetTy &ExportList,
                    const std::map<GlobalValue::GUID, GlobalValue::LinkageTypes>
                        &ResolvedODR);
  Error writeJobFile(const std::vector<JobState *> &ToRun,
                     const std::string &Path);
  Error writeShard(JobState &J, const FunctionImporter::ImportMapTy &ImportList,
                   bool AsJob);
  void addReferencedDeclarations(
      const JobState &J, ModuleToSummariesForIndexTy &ModuleToSummaries,
      GVSummaryPtrSet &DeclarationSummaries,
      std::vector<std::unique_ptr<GlobalValueSummary>> &Made);
  Error writeJobInputs(JobState &J);
  Error loadObject(JobState &J);
  /// Check the job's output and keep it in J.Object; why it is unusable
  /// ("" if it is not).
  std::string takeObject(JobState &J);
  std::string foreignObjectProblem(JobState &J, const MemoryBuffer &MB);
  Error addToLink(JobState &J);
  Error compileInLinker(JobState &J);
  void warn(const Twine &Msg);
  void forEachParallel(const std::vector<JobState *> &Js,
                       Error (OutOfProcessThinBackend::*Fn)(JobState &));
  void setError(Error E) {
    std::lock_guard<std::mutex> L(ErrMu);
    if (Err)
      Err = joinErrors(std::move(*Err), std::move(E));
    else
      Err = std::move(E);
  }

  AddStreamFn AddStream;
  FileCache Cache;
  Options Opts;
  std::string PID;
  std::string OutputDir;
  unsigned TaskOffset = 0;
  Triple TT;
  std::vector<std::string> CommonArgs;
  std::vector<std::string> CommonInputs;
  std::string SetupError; // Reported by start().
  bool Worker = false;    // Jobs run LLVM's backend in our worker.
  std::string CacheSalt;
  std::vector<JobState> Jobs;
  TempFiles Temps;
};

} // namespace

Error OutOfProcessThinBackend::start(
    unsigned Task, BitcodeModule BM,
    const FunctionImporter::ImportMapTy &ImportList,
    const FunctionImporter::ExportSetTy &ExportList,
    const std::map<GlobalValue::GUID, GlobalValue::LinkageTypes> &ResolvedODR,
    MapVector<StringRef, BitcodeModule> &ModuleMap) {
  if (!SetupError.empty())
    return createStringError(inconvertibleErrorCode(), SetupError);
  if (Task < TaskOffset || Task - TaskOffset >= Jobs.size())
    return backendError("unexpected ThinLTO task number " + Twine(Task));

  JobState &J = Jobs[Task - TaskOffset];
  J.Started = true;
  J.Task = Task;
  J.ModuleID = BM.getModuleIdentifier().str();
  SmallString<256> Obj(OutputDir);
  sys::path::append(Obj, sys::path::stem(J.ModuleID) + "." + Twine(Task) + "." +
                             PID + ".native.o");
  J.NativeObject = std::string(Obj);
  J.Shard = J.NativeObject + ".thinlto.bc";
  J.BM = BM;
  J.ImportList = &ImportList;
  J.ModuleMap = &ModuleMap;

  // The maps are owned by LTO::runThinLTO and outlive wait().
  BackendThreadPool.async([this, &J, &ImportList, &ExportList, &ResolvedODR] {
    // Pool threads have no profiler of their own; give each task one.
    if (Conf.TimeTraceEnabled)
      timeTraceProfilerInitialize(
          Conf.TimeTraceGranularity,
          "Emit individual index and check cache for DTLTO");
    {
      llvm::TimeTraceScope Scope(
          "Emit individual index and check cache for DTLTO", J.ModuleID);
      prepareJob(J, ImportList, ExportList, ResolvedODR);
    }
    if (Conf.TimeTraceEnabled)
      timeTraceProfilerFinishThread();
  });
  return Error::success();
}

void OutOfProcessThinBackend::prepareJob(
    JobState &J, const FunctionImporter::ImportMapTy &ImportList,
    const FunctionImporter::ExportSetTy &ExportList,
    const std::map<GlobalValue::GUID, GlobalValue::LinkageTypes> &ResolvedODR) {
  if (Error E = lookUpCache(J, ImportList, ExportList, ResolvedODR))
    return setError(std::move(E));
  if (!J.Cached)
    Temps.add(J.Shard, Opts.SaveTemps || Opts.ShouldEmitIndexFiles);
  {
    llvm::TimeTraceScope Scope("Emit individual index for DTLTO", J.ModuleID);
    // A cache hit makes no job, so no shard; the files the user asked for
    // are still written.
    if (!J.Cached || Opts.ShouldEmitIndexFiles || ShouldEmitImportsFiles)
      if (Error E = writeShard(J, ImportList, /*AsJob=*/!J.Cached))
        return setError(std::move(E));
  }
  // lld writes an empty index file for every module it is not told about.
  if (OnWrite)
    OnWrite(originalModuleID(J.ModuleID).str());
}

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

// The bitcode files a job reads that exist only in memory (archive members
// and FatLTO objects, see LinkInputs.h): the module's own and those of the
// modules it imports from.
Error OutOfProcessThinBackend::writeJobInputs(JobState &J) {
  std::vector<std::string> IDs = {J.ModuleID};
  IDs.insert(IDs.end(), J.Imports.begin(), J.Imports.end());
  return writeSerializedInputs(IDs, Opts.SaveTemps);
}

Error OutOfProcessThinBackend::lookUpCache(
    JobState &J, const FunctionImporter::ImportMapTy &ImportList,
    const FunctionImporter::ExportSetTy &ExportList,
    const std::map<GlobalValue::GUID, GlobalValue::LinkageTypes> &ResolvedODR) {
  if (!Cache.isValid() || !CombinedIndex.modulePaths().count(J.ModuleID))
    return Error::success();
  const ModuleHash &Hash = CombinedIndex.getModuleHash(J.ModuleID);
  if (all_of(Hash, [](uint32_t W) { return W == 0; }))
    return Error::success(); // No hash: not cacheable.

  llvm::TimeTraceScope Scope("Check cache for DTLTO", J.ModuleID);
  static const GVSummaryMapTy NoDefinitions;
  auto It = ModuleToDefinedGVSummaries.find(J.ModuleID);
  const GVSummaryMapTy &Defined =
      It == ModuleToDefinedGVSummaries.end() ? NoDefinitions : It->second;
  std::string Key =
      computeLTOCacheKey(Conf, CombinedIndex, J.ModuleID, ImportList,
                         ExportList, ResolvedODR, Defined);
  Key = recomputeLTOCacheKey(Key, CacheSalt);
  Expected<AddStreamFn> CacheAddStream = Cache(J.Task, Key, J.ModuleID);
  if (!CacheAddStream)
    return CacheAddStream.takeError();
  // A null stream means a hit: the cache has already handed the object over.
  J.Cached = !*CacheAddStream;
  J.CacheAddStream = std::move(*CacheAddStream);
  return Error::success();
}

Error OutOfProcessThinBackend::writeJobFile(
    const std::vector<JobState *> &ToRun, const std::string &Path) {
  llvm::TimeTraceScope Scope("Emit DTLTO JSON");
  JobFile F;
  F.LinkerOutput = Opts.LinkerOutputFile;
  F.CommonArgs = CommonArgs;
  F.CommonInputs = CommonInputs;
  for (JobState *J : ToRun) {
    Job NewJob;
    NewJob.Args = {J->ModuleID, "-fthinlto-index=" + J->Shard, "-o",
                   J->NativeObject};
    NewJob.Inputs = {J->ModuleID, J->Shard};
    NewJob.Inputs.insert(NewJob.Inputs.end(), J->Imports.begin(),
                         J->Imports.end());
    NewJob.Outputs = {J->NativeObject};
    if (Worker) {
      NewJob.Args.push_back("--thinlto-task=" + std::to_string(J->Task));
      append_range(NewJob.Outputs, workerSideOutputs(Conf, J->Task));
      if (!Conf.StatsFile.empty()) {
        NewJob.Args.push_back("--thinlto-stats=" + statsOutput(*J));
        NewJob.Outputs.push_back(statsOutput(*J));
      }
    }
    F.Jobs.push_back(std::move(NewJob));
  }
  std::string Text, Why;
  if (!dtlto::writeJobFile(F, Text, Why))
    return backendError("failed to generate distributor JSON script: " + Path +
                        ": " + Why);
  Temps.add(Path, Opts.SaveTemps);
  if (Error E = writeNewFile(Path, Text))
    return backendError("failed to generate distributor JSON script: " + Path +
                        ": " + toString(std::move(E)));
  return Error::success();
}

Error OutOfProcessThinBackend::loadObject(JobState &J) {
  std::string Why = takeObject(J);
  if (Why.empty() && Worker && !Conf.StatsFile.empty()) {
    // The job's counters, added to the link's statistics file at its end.
    std::string Stats = statsOutput(J);
    ErrorOr<std::unique_ptr<MemoryBuffer>> MB = MemoryBuffer::getFile(Stats);
    if (!MB)
      Why = "cannot read statistics file: " + Stats + ": " +
            MB.getError().message();
    else if (Error E =
                 addRemoteStatistics(Conf.StatsFile, Stats, (*MB)->getBuffer()))
      Why = toString(std::move(E));
  }
  if (Why.empty())
    return Error::success();
  if (backendOptions().Fallback) {
    J.Failure = std::move(Why); // Compiled in the linker instead.
    return Error::success();
  }
  return backendError(Why + " (job for module '" + J.ModuleID + "')");
}

std::string OutOfProcessThinBackend::takeObject(JobState &J) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> MB = MemoryBuffer::getFile(
      J.NativeObject, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!MB)
    return "cannot open native object file: " + J.NativeObject + ": " +
           MB.getError().message();
  std::string Why;
  StringRef Bytes = (*MB)->getBuffer();
  bool Assembly = Conf.CGFileType == CodeGenFileType::AssemblyFile;
  if (!checkJobOutput(Bytes.substr(0, 64), Bytes.size(), TT.str(), Assembly,
                      Why))
    return "invalid native object file: " + J.NativeObject + ": " + Why;
  if (!Assembly) {
    Why = foreignObjectProblem(J, **MB);
    if (!Why.empty())
      return Why;
  }
  J.Object = std::move(*MB);
  return "";
}

// A distributor that mixes up its outputs hands back valid objects for the
// wrong modules. Catch it by the symbols: an object that defines none of its
// module's symbols but some of another module's belongs to that other one.
// (An object defining nothing known, e.g. everything inlined away, passes.)
std::string
OutOfProcessThinBackend::foreignObjectProblem(JobState &J,
                                              const MemoryBuffer &MB) {
  Expected<std::unique_ptr<object::ObjectFile>> Obj =
      object::ObjectFile::createObjectFile(MB.getMemBufferRef());
  if (!Obj)
    return "invalid native object file: " + J.NativeObject + ": " +
           toString(Obj.takeError());
  std::string ForeignSymbol, ForeignModule;
  for (const object::SymbolRef &Sym : (*Obj)->symbols()) {
    Expected<uint32_t> Flags = Sym.getFlags();
    Expected<StringRef> Name = Sym.getName();
    if (!Flags || !Name || Name->empty() ||
        (*Flags & (object::SymbolRef::SF_Undefined |
                   object::SymbolRef::SF_FormatSpecific))) {
      if (!Flags)
        consumeError(Flags.takeError());
      if (!Name)
        consumeError(Name.takeError());
      continue;
    }
    ValueInfo VI = CombinedIndex.getValueInfo(
        GlobalValue::getGUIDAssumingExternalLinkage(*Name));
    if (!VI)
      continue;
    for (const auto &S : VI.getSummaryList()) {
      if (S->modulePath() == J.ModuleID)
        return "";
      if (ForeignSymbol.empty()) {
        ForeignSymbol = Name->str();
        ForeignModule = S->modulePath().str();
      }
    }
  }
  if (ForeignSymbol.empty())
    return "";
  return "native object file " + J.NativeObject +
         " is not this module's output: it defines '" + ForeignSymbol +
         "' of module '" + ForeignModule +
         "' and none of the module's own symbols";
}

// The in-process ThinLTO backend, for one module whose job failed: the same
// module, imports and definitions LTO gave start(). Its object goes to the
// link, never to the cache (whose keys stand for the remote compiler's).
Error OutOfProcessThinBackend::compileInLinker(JobState &J) {
  llvm::TimeTraceScope Scope("Compile in the linker after DTLTO failure",
                             J.ModuleID);
  lto::LTOLLVMContext Ctx(Conf);
  Expected<std::unique_ptr<Module>> M = J.BM->parseModule(Ctx);
  if (!M)
    return M.takeError();
  static const GVSummaryMapTy NoDefinitions;
  auto It = ModuleToDefinedGVSummaries.find(J.ModuleID);
  const GVSummaryMapTy &Defined =
      It == ModuleToDefinedGVSummaries.end() ? NoDefinitions : It->second;
  return lto::thinBackend(Conf, J.Task, AddStream, **M, CombinedIndex,
                          *J.ImportList, Defined, J.ModuleMap,
                          Conf.CodeGenOnly);
}

void OutOfProcessThinBackend::warn(const Twine &Msg) {
  DiagnosticInfoGeneric D(Msg, DS_Warning);
  if (Conf.DiagHandler)
    Conf.DiagHandler(D);
  else
    errs() << "warning: " << Msg << "\n";
}

Error OutOfProcessThinBackend::addToLink(JobState &J) {
  AddStreamFn &Add = J.CacheAddStream ? J.CacheAddStream : AddStream;
  Expected<std::unique_ptr<CachedFileStream>> Stream = Add(J.Task, J.ModuleID);
  if (!Stream)
    return Stream.takeError();
  *(*Stream)->OS << J.Object->getBuffer();
  J.Object.reset();
  return (*Stream)->commit();
}

void OutOfProcessThinBackend::forEachParallel(
    const std::vector<JobState *> &Js,
    Error (OutOfProcessThinBackend::*Fn)(JobState &)) {
  for (JobState *J : Js)
    BackendThreadPool.async([this, J, Fn] {
      // Pool threads have no profiler of their own; give each task one.
      if (Conf.TimeTraceEnabled)
        timeTraceProfilerInitialize(Conf.TimeTraceGranularity,
                                    "DTLTO backend task");
      if (Error E = (this->*Fn)(*J))
        setError(std::move(E));
      if (Conf.TimeTraceEnabled)
        timeTraceProfilerFinishThread();
    });
  BackendThreadPool.wait();
}

Error OutOfProcessThinBackend::wait() {
  scope_exit Cleanup([&] {
    llvm::TimeTraceScope Scope("Remove DTLTO temporary files");
    Temps.removeAll();
  });
  BackendThreadPool.wait();
  if (Err)
    return std::move(*Err);

  std::vector<JobState *> ToRun;
  for (JobState &J : Jobs)
    if (J.Started && !J.Cached)
      ToRun.push_back(&J);
  if (ToRun.empty())
    return Error::success();

  SmallString<256> JobFilePath(OutputDir);
  sys::path::append(JobFilePath, sys::path::stem(Opts.LinkerOutputFile) + "." +
                                     PID + ".dist-file.json");
  std::string Path(JobFilePath);
  if (backendWritesInputs()) {
    forEachParallel(ToRun, &OutOfProcessThinBackend::writeJobInputs);
    if (Err)
      return std::move(*Err);
  }
  if (Error E = writeJobFile(ToRun, Path))
    return E;
  // Registered before the distributor runs: whatever it leaves behind on
  // failure or Ctrl-C is removed too.
  for (JobState *J : ToRun) {
    Temps.add(J->NativeObject, Opts.SaveTemps);
    if (Worker && !Conf.StatsFile.empty())
      Temps.add(statsOutput(*J), Opts.SaveTemps);
  }
  const BackendOptions &Extra = backendOptions();
  if (Error E = runDistributor(Opts.Distributor, Opts.DistributorArgs, Path,
                               Extra.DistributorTimeout)) {
    if (!Extra.Fallback)
      return E;
    // Whatever it did produce is still checked and used.
    warn(toString(std::move(E)));
  }
  if (!Opts.SaveTemps)
    Temps.remove(Path);

  // Every object is checked before any reaches the link (or the cache), so
  // a bad job never leaves a partial result behind. With --fallback, a job
  // whose object is unusable is compiled here instead.
  llvm::TimeTraceScope Scope("Add DTLTO files to the link");
  forEachParallel(ToRun, &OutOfProcessThinBackend::loadObject);
  if (Err)
    return std::move(*Err);
  std::vector<JobState *> Good, Bad;
  for (JobState *J : ToRun)
    (J->Failure.empty() ? Good : Bad).push_back(J);
  for (JobState *J : Bad)
    warn("DTLTO backend compilation: job for module '" + J->ModuleID +
         "' failed (" + J->Failure + "); compiling it in the linker instead");
  forEachParallel(Good, &OutOfProcessThinBackend::addToLink);
  if (!Err)
    forEachParallel(Bad, &OutOfProcessThinBackend::compileInLinker);
  if (Err)
    return std::move(*Err);
  return Error::success();
}

BackendOptions &dtlto::backendOptions() {
  static BackendOptions Options;
  return Options;
}

lto::ThinBackend dtlto::createOutOfProcessThinBackend(
    ThreadPoolStrategy Parallelism, lto::IndexWriteCallback OnWrite,
    bool ShouldEmitIndexFiles, bool ShouldEmitImportsFiles,
    StringRef LinkerOutputFile, StringRef Distributor,
    ArrayRef<StringRef> DistributorArgs, StringRef RemoteCompilerPath,
    ArrayRef<StringRef> RemoteCompilerPrependArgs,
    ArrayRef<StringRef> RemoteCompilerArgs, bool SaveTemps) {
  auto Strings = [](ArrayRef<StringRef> A) {
    return std::vector<std::string>(A.begin(), A.end());
  };
  Options Opts{ShouldEmitIndexFiles,
               LinkerOutputFile.str(),
               Distributor.str(),
               Strings(DistributorArgs),
               {RemoteCompilerPath.str(), Strings(RemoteCompilerPrependArgs),
                Strings(RemoteCompilerArgs)},
               SaveTemps};
  // A linker whose lto::DTLTO is ours (tools/dtlto-lld) leaves the writing
  // of archive members to us, for the jobs that read them.
  setBackendWritesInputs(true);
  auto Func =
      [=](const lto::Config &Conf, ModuleSummaryIndex &CombinedIndex,
          const DenseMap<StringRef, GVSummaryMapTy> &ModuleToDefinedGVSummaries,
          AddStreamFn AddStream, FileCache Cache) {
        return std::make_unique<OutOfProcessThinBackend>(
            Conf, CombinedIndex, Parallelism, ModuleToDefinedGVSummaries,
            std::move(AddStream), std::move(Cache), OnWrite,
            ShouldEmitImportsFiles, Opts);
      };
  return lto::ThinBackend(Func, Parallelism);
}
