//===- OutOfProcessBackend.h - ThinLTO backend run by a distributor -*- C++
//-*-//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The backend class, shared by the files that implement it:
// OutOfProcessBackend.cpp (setup, start, wait: the order of a link),
// Shards.cpp (each job's index shard) and ObjectIntake.cpp (each job's
// object: checked, added to the link, or compiled in the linker instead).
// Only createOutOfProcessThinBackend (dtlto/Backend.h) is public.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_LIB_BACKEND_OUTOFPROCESSBACKEND_H
#define DTLTO_LIB_BACKEND_OUTOFPROCESSBACKEND_H

#include "dtlto/Backend.h"
#include "dtlto/LinkInputs.h"

#include "RemoteCommand.h"
#include "TempFiles.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/LTO/LTO.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Process.h"
#include "llvm/Transforms/IPO/FunctionImport.h"

#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace dtlto {
namespace backend {

struct Options {
  bool ShouldEmitIndexFiles;
  std::string LinkerOutputFile;
  std::string Distributor;
  std::vector<std::string> DistributorArgs;
  RemoteCompiler Compiler;
  bool SaveTemps;
  /// Where the link's files go (FilesDir.h), or why that could not be set.
  std::string FilesDir, FilesDirError;
  /// Our own options (dtlto::backendOptions()) as they were when the
  /// backend was created: one snapshot for the whole link.
  BackendOptions Extra;
};

/// One ThinLTO module's backend compilation.
struct JobState {
  bool Started = false;
  bool Cached = false;
  unsigned Task = 0;
  std::string ModuleID;
  std::string NativeObject;
  std::string Shard;
  llvm::lto::ImportsFilesContainer Imports;
  llvm::AddStreamFn CacheAddStream;
  std::unique_ptr<llvm::MemoryBuffer> Object; // Validated distributor output.
  // For compiling in the linker when the job fails (--fallback).
  std::optional<llvm::BitcodeModule> BM;
  const llvm::FunctionImporter::ImportMapTy *ImportList = nullptr;
  llvm::MapVector<llvm::StringRef, llvm::BitcodeModule> *ModuleMap = nullptr;
  std::string Failure; // Why the job's output was not usable.
};

/// An error of the backend: "DTLTO backend compilation: <Msg>".
llvm::Error backendError(const llvm::Twine &Msg);

/// A file of job \p J that could not be written.
llvm::Error fileError(llvm::StringRef What, llvm::StringRef Path,
                      const JobState &J, llvm::Error E);

class OutOfProcessThinBackend : public llvm::lto::ThinBackendProc {
public:
  OutOfProcessThinBackend(
      const llvm::lto::Config &Conf, llvm::ModuleSummaryIndex &CombinedIndex,
      llvm::ThreadPoolStrategy Parallelism,
      const llvm::DenseMap<llvm::StringRef, llvm::GVSummaryMapTy>
          &ModuleToDefinedGVSummaries,
      llvm::AddStreamFn AddStream, llvm::FileCache Cache,
      llvm::lto::IndexWriteCallback OnWrite, bool ShouldEmitImportsFiles,
      Options Opts)
      : ThinBackendProc(Conf, CombinedIndex, ModuleToDefinedGVSummaries,
                        OnWrite, ShouldEmitImportsFiles, Parallelism),
        AddStream(std::move(AddStream)), Cache(std::move(Cache)),
        Opts(std::move(Opts)),
        PID(std::to_string(llvm::sys::Process::getProcessId())) {
    OutputDir = this->Opts.FilesDir;
  }
  ~OutOfProcessThinBackend() override {
    // Its files first (wait() removed them, unless a job failed to start).
    Temps.removeAll();
    removeLinkFilesDir();
  }

  void setup(unsigned NumTasks, unsigned TaskOffset, llvm::Triple TT) override;

  /// The remote command for the compiler the user named; with none, the
  /// clang of our LLVM (as clang's driver would pass itself), or our worker
  /// beside the linker when the link's options need LLVM's own backend.
  llvm::Expected<RemoteCommand> chooseRemoteCommand(llvm::StringRef ConfigPath);

  /// Where a worker job writes its statistics (a temporary file).
  static std::string statsOutput(const JobState &J);

  /// dtlto-codegen installed beside the running linker, or "".
  static std::string workerBesideLinker();

  // Job files list jobs in task (input) order, as LLVM 22 does.
  bool isSensitiveToInputOrder() override { return true; }

  llvm::Error
  start(unsigned Task, llvm::BitcodeModule BM,
        const llvm::FunctionImporter::ImportMapTy &ImportList,
        const llvm::FunctionImporter::ExportSetTy &ExportList,
        const std::map<llvm::GlobalValue::GUID, llvm::GlobalValue::LinkageTypes>
            &ResolvedODR,
        llvm::MapVector<llvm::StringRef, llvm::BitcodeModule> &ModuleMap)
      override;

  llvm::Error wait() override;

private:
  void prepareJob(JobState &J,
                  const llvm::FunctionImporter::ImportMapTy &ImportList,
                  const llvm::FunctionImporter::ExportSetTy &ExportList,
                  const std::map<llvm::GlobalValue::GUID,
                                 llvm::GlobalValue::LinkageTypes> &ResolvedODR);
  llvm::Error lookUpCache(
      JobState &J, const llvm::FunctionImporter::ImportMapTy &ImportList,
      const llvm::FunctionImporter::ExportSetTy &ExportList,
      const std::map<llvm::GlobalValue::GUID, llvm::GlobalValue::LinkageTypes>
          &ResolvedODR);
  llvm::Error writeJobFile(const std::vector<JobState *> &ToRun,
                           const std::string &Path);
  llvm::Error writeShard(JobState &J,
                         const llvm::FunctionImporter::ImportMapTy &ImportList,
                         bool AsJob);
  void addReferencedDeclarations(
      const JobState &J, llvm::ModuleToSummariesForIndexTy &ModuleToSummaries,
      llvm::GVSummaryPtrSet &DeclarationSummaries,
      std::vector<std::unique_ptr<llvm::GlobalValueSummary>> &Made);
  llvm::Error writeJobInputs(JobState &J);
  llvm::Error loadObject(JobState &J);
  /// Check the job's output and keep it in J.Object; why it is unusable
  /// ("" if it is not).
  std::string takeObject(JobState &J);
  std::string foreignObjectProblem(JobState &J, const llvm::MemoryBuffer &MB);
  llvm::Error addToLink(JobState &J);
  llvm::Error compileInLinker(JobState &J);
  void warn(const llvm::Twine &Msg);
  void forEachParallel(const std::vector<JobState *> &Js,
                       llvm::Error (OutOfProcessThinBackend::*Fn)(JobState &));
  void setError(llvm::Error E) {
    std::lock_guard<std::mutex> L(ErrMu);
    if (Err)
      Err = joinErrors(std::move(*Err), std::move(E));
    else
      Err = std::move(E);
  }

  llvm::AddStreamFn AddStream;
  llvm::FileCache Cache;
  Options Opts;
  std::string PID;
  std::string OutputDir;
  unsigned TaskOffset = 0;
  llvm::Triple TT;
  std::vector<std::string> CommonArgs;
  std::vector<std::string> CommonInputs;
  std::string SetupError; // Reported by start().
  bool Worker = false;    // Jobs run LLVM's backend in our worker.
  std::string CacheSalt;
  std::vector<JobState> Jobs;
  TempFiles Temps;
};

} // namespace backend
} // namespace dtlto

#endif // DTLTO_LIB_BACKEND_OUTOFPROCESSBACKEND_H
