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
// our LLVM (LLVM 22 writes ""), or our worker when clang cannot take the
// link's options, and every output is validated before it can reach the
// link. This file is the order of a link (setup, start, wait); Shards.cpp
// writes each job's shard, ObjectIntake.cpp takes each job's object.
//
//===----------------------------------------------------------------------===//

#include "OutOfProcessBackend.h"

#include "dtlto/Backend.h"
#include "dtlto/JobFile.h"
#include "dtlto/LTOConfigFile.h"
#include "dtlto/LinkInputs.h"
#include "dtlto/ObjectCheck.h"

#include "CacheSalt.h"
#include "Distributor.h"
#include "FilesDir.h"
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
using namespace dtlto::backend;

Error dtlto::backend::backendError(const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(),
                           "DTLTO backend compilation: " + Msg);
}

Error dtlto::backend::fileError(StringRef What, StringRef Path,
                                const JobState &J, Error E) {
  return backendError("cannot write the " + What + " '" + Path +
                      "' for module '" + J.ModuleID +
                      "': " + toString(std::move(E)));
}

void OutOfProcessThinBackend::setup(unsigned NumTasks, unsigned TaskOffset,
                                    Triple TT) {
  Jobs.resize(NumTasks);
  if (!Opts.FilesDirError.empty()) {
    SetupError = Opts.FilesDirError;
    return;
  }
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
        SetupError = toString(backendError("cannot create the split DWARF "
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

Expected<RemoteCommand>
OutOfProcessThinBackend::chooseRemoteCommand(StringRef ConfigPath) {
  const BackendOptions &Extra = Opts.Extra;
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
    return buildRemoteCommand(Conf, TT, RC, Extra, Opts.SaveTemps, ConfigPath);
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

std::string OutOfProcessThinBackend::workerBesideLinker() {
  std::string Self = sys::fs::getMainExecutable(nullptr, nullptr);
  if (Self.empty())
    return "";
  SmallString<256> Path(sys::path::parent_path(Self));
  sys::path::append(Path, "dtlto-codegen");
  return sys::fs::can_execute(Path) ? std::string(Path) : "";
}

std::string OutOfProcessThinBackend::statsOutput(const JobState &J) {
  return J.NativeObject + ".stats.json";
}

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
      NewJob.Args.push_back(workerjob::TaskFlag + std::to_string(J->Task));
      for (const SideOutput &Side : workerSideOutputs(Conf, J->Task)) {
        NewJob.Args.push_back(Side.Flag + Side.Path);
        NewJob.Outputs.push_back(Side.Path);
      }
      if (!Conf.StatsFile.empty()) {
        NewJob.Args.push_back(workerjob::StatsFlag + statsOutput(*J));
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

void OutOfProcessThinBackend::warn(const Twine &Msg) {
  DiagnosticInfoGeneric D(Msg, DS_Warning);
  if (Conf.DiagHandler)
    Conf.DiagHandler(D);
  else
    errs() << "warning: " << Msg << "\n";
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
  const BackendOptions &Extra = Opts.Extra;
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
               SaveTemps,
               "",
               "",
               backendOptions()};
  // Before the linker adds its inputs: renamed archive members go there too.
  std::string Warning;
  Expected<std::string> Dir = chooseLinkFilesDir(
      LinkerOutputFile, Distributor, SaveTemps || ShouldEmitIndexFiles,
      Opts.Extra.TempDir, Warning);
  if (!Warning.empty())
    WithColor::warning() << "DTLTO: " << Warning << "\n";
  if (Dir) {
    Opts.FilesDir = std::move(*Dir);
  } else {
    Opts.FilesDir = sys::path::parent_path(LinkerOutputFile).str();
    Opts.FilesDirError = toString(backendError(toString(Dir.takeError())));
  }
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
