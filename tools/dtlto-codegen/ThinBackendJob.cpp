//===- ThinBackendJob.cpp - A job run by LLVM's ThinLTO backend -----------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What a clang command line cannot say (the code-generation level of
// --lto-O1, split DWARF's per-task .dwo, remarks per task, custom pass
// pipelines, ...) makes a DTLTO object differ from in-process ThinLTO's or
// stops the link. A job of this form instead carries the link's whole
// lto::Config (LTOConfigFile.h) and the task number in-process ThinLTO would
// have given the module, and runs lto::thinBackend, the function in-process
// ThinLTO runs on its threads, with them: the module from its file, the
// imports from the shard (as clang's -fthinlto-index backend finds them),
// every other setting as the linker had it. The .dwo and remarks files are
// named from the task as in-process ThinLTO names them; statistics go to the
// file the job names, for the linker to add to its own.
//
//===----------------------------------------------------------------------===//

#include "ThinBackendJob.h"
#include "OptionState.h"

#include "dtlto/LTOConfigFile.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/Statistic.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/Module.h"
#include "llvm/LTO/LTOBackend.h"
#include "llvm/Support/Caching.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Transforms/IPO/FunctionImport.h"

using namespace llvm;

namespace {

using namespace dtlto::workerjob;
constexpr StringLiteral IndexFlag = "-fthinlto-index=";

struct JobArgs {
  std::string Config, Module, Index, Output, Target, Stats;
  // Where the .dwo and remarks files go, if not where the configuration
  // names them (a distributor may have moved them, as outputs).
  std::string DwoOutput, RemarksOutput;
  unsigned Task = 0;
  bool Assembly = false;
};

bool fail(const Twine &Msg) {
  errs() << "dtlto-codegen: error: " << Msg << "\n";
  return false;
}

bool parseArgs(ArrayRef<std::string> Args, JobArgs &J) {
  bool HasTask = false;
  for (size_t I = 1; I < Args.size(); ++I) {
    StringRef A = Args[I];
    if (A.consume_front(ConfigFlag))
      J.Config = A.str();
    else if (A.consume_front(IndexFlag))
      J.Index = A.str();
    else if (A.consume_front(TaskFlag)) {
      if (A.getAsInteger(10, J.Task))
        return fail("invalid task number '" + A + "'");
      HasTask = true;
    } else if (A.consume_front(StatsFlag))
      J.Stats = A.str();
    else if (A.consume_front(DwoFlag))
      J.DwoOutput = A.str();
    else if (A.consume_front(RemarksFlag))
      J.RemarksOutput = A.str();
    else if (A == "-c" || A == "-S")
      J.Assembly = A == "-S";
    else if (A.consume_front("--target="))
      J.Target = A.str();
    else if (A == "-o" && I + 1 < Args.size())
      J.Output = Args[++I];
    else if (!A.starts_with("-") && J.Module.empty())
      J.Module = A.str();
    else
      return fail("unexpected argument '" + A +
                  "' in a ThinLTO backend job (expected -c or -S, --target=, "
                  "--thinlto-config=, <module>, -fthinlto-index=, "
                  "-o <object>, --thinlto-task=)");
  }
  if (J.Config.empty() || J.Module.empty() || J.Index.empty() ||
      J.Output.empty() || !HasTask)
    return fail("a ThinLTO backend job needs --thinlto-config=, <module>, "
                "-fthinlto-index=, -o <object> and --thinlto-task=");
  return true;
}

/// The job proper, once the configuration is read and LLVM's options set.
bool runBackend(const lto::Config &Conf, const JobArgs &J) {
  lto::LTOLLVMContext Ctx(Conf);
  ErrorOr<std::unique_ptr<MemoryBuffer>> MB = MemoryBuffer::getFile(J.Module);
  if (!MB)
    return fail("cannot read module '" + J.Module +
                "': " + MB.getError().message());
  Expected<BitcodeModule> BM = lto::findThinLTOModule((*MB)->getMemBufferRef());
  if (!BM)
    return fail("'" + J.Module + "': " + toString(BM.takeError()));
  Expected<std::unique_ptr<Module>> M = BM->parseModule(Ctx);
  if (!M)
    return fail("'" + J.Module + "': " + toString(M.takeError()));
  Expected<std::unique_ptr<ModuleSummaryIndex>> Index =
      getModuleSummaryIndexForFile(J.Index);
  if (!Index)
    return fail("cannot read index shard '" + J.Index +
                "': " + toString(Index.takeError()));

  FunctionImporter::ImportIDTable ImportIDs;
  FunctionImporter::ImportMapTy ImportList(ImportIDs);
  if (!lto::initImportList(**M, **Index, ImportList))
    return fail("cannot find the modules that '" + J.Module +
                "' imports from (index shard '" + J.Index + "')");
  DenseMap<StringRef, GVSummaryMapTy> Defined;
  (*Index)->collectDefinedGVSummariesPerModule(Defined);

  bool Written = false;
  auto AddStream =
      [&](unsigned,
          const Twine &) -> Expected<std::unique_ptr<CachedFileStream>> {
    std::error_code EC;
    auto OS = std::make_unique<raw_fd_ostream>(J.Output, EC, sys::fs::OF_None);
    if (EC)
      return createStringError(EC, "cannot write '" + J.Output +
                                       "': " + EC.message());
    Written = true;
    return std::make_unique<CachedFileStream>(std::move(OS), J.Output);
  };
  if (Error E =
          lto::thinBackend(Conf, J.Task, AddStream, **M, **Index, ImportList,
                           Defined[(*M)->getModuleIdentifier()],
                           /*ModuleMap=*/nullptr, Conf.CodeGenOnly))
    return fail("'" + J.Module + "': " + toString(std::move(E)));
  if (!Written)
    return fail("the backend wrote no output for '" + J.Module + "'");
  return true;
}

} // namespace

bool dtlto::isThinBackendJob(ArrayRef<std::string> Args) {
  return any_of(drop_begin(Args), [](const std::string &A) {
    return StringRef(A).starts_with(ConfigFlag);
  });
}

int dtlto::runThinBackendJob(ArrayRef<std::string> Args) {
  JobArgs J;
  if (!parseArgs(Args, J))
    return 1;
  ErrorOr<std::unique_ptr<MemoryBuffer>> Text = MemoryBuffer::getFile(J.Config);
  if (!Text) {
    fail("cannot read LTO configuration file '" + J.Config +
         "': " + Text.getError().message());
    return 1;
  }
  lto::Config Conf;
  WorkerSettings Settings;
  if (Error E = readLTOConfig((*Text)->getBuffer(), J.Config, Conf, Settings)) {
    fail(toString(std::move(E)));
    return 1;
  }
  // The .dwo keeps the name in-process ThinLTO gives it (<dwo_dir>/<task>.dwo,
  // recorded in the object) wherever the file itself goes.
  if (!J.DwoOutput.empty() && !Conf.DwoDir.empty()) {
    Conf.SplitDwarfFile = inProcessDwoFile(Conf, J.Task);
    Conf.SplitDwarfOutput = J.DwoOutput;
    Conf.DwoDir.clear();
  }
  // LLVM names a task's remarks file <file>.thin.<task>.<format>: give it a
  // <file> that puts it beside the requested one, and move it there after.
  std::string RemarksWritten;
  if (!J.RemarksOutput.empty() && !Conf.RemarksFilename.empty()) {
    Conf.RemarksFilename = J.RemarksOutput + ".part";
    RemarksWritten = inProcessRemarksFile(Conf, J.Task);
  }
  // The flags distributors judge outputs by must say what the job writes.
  if (J.Assembly != (Conf.CGFileType == CodeGenFileType::AssemblyFile)) {
    fail(Twine(J.Assembly ? "-S" : "-c") +
         " disagrees with the output type "
         "in '" +
         J.Config + "'");
    return 1;
  }
  // As the linker reports them; an error fails the job.
  bool HadError = false;
  Conf.DiagHandler = [&](const DiagnosticInfo &DI) {
    const char *Kind = DI.getSeverity() == DS_Error     ? "error"
                       : DI.getSeverity() == DS_Warning ? "warning"
                       : DI.getSeverity() == DS_Remark  ? "remark"
                                                        : "note";
    HadError |= DI.getSeverity() == DS_Error;
    std::string Msg;
    raw_string_ostream OS(Msg);
    DiagnosticPrinterRawOStream DP(OS);
    DI.print(DP);
    errs() << "dtlto-codegen: " << Kind << ": " << Msg << "\n";
  };

  // Statistics are LLVM's process-wide counters: such a job runs alone and
  // writes the counters of its own run, which the linker adds to its file.
  bool Stats = !Conf.StatsFile.empty();
  if (Stats && J.Stats.empty()) {
    fail("the configuration in '" + J.Config +
         "' asks for statistics and "
         "the job names no " +
         StatsFlag + "<file>");
    return 1;
  }
  bool OK = runWithOptionState(Stats || !Settings.LLVMOptions.empty(), [&] {
    if (Stats) {
      EnableStatistics(/*DoPrintOnExit=*/false);
      ResetStatistics();
    }
    if (!Settings.LLVMOptions.empty()) {
      std::vector<const char *> Argv = {"dtlto-codegen"};
      for (const std::string &O : Settings.LLVMOptions)
        Argv.push_back(O.c_str());
      if (!cl::ParseCommandLineOptions(Argv.size(), Argv.data(), "", &errs()))
        return fail("the link's LLVM options (from '" + J.Config +
                    "') are not accepted here");
    }
    if (!runBackend(Conf, J))
      return false;
    if (Stats) {
      std::error_code EC;
      raw_fd_ostream OS(J.Stats, EC);
      if (!EC) {
        PrintStatisticsJSON(OS);
        OS.close();
        EC = OS.error();
      }
      if (EC)
        return fail("cannot write statistics file '" + J.Stats +
                    "': " + EC.message());
    }
    return true;
  });
  if (OK && !HadError && !RemarksWritten.empty())
    if (std::error_code EC = sys::fs::rename(RemarksWritten, J.RemarksOutput)) {
      fail("cannot move remarks file '" + RemarksWritten + "' to '" +
           J.RemarksOutput + "': " + EC.message());
      OK = false;
    }
  if (!OK || HadError) {
    for (const std::string &F :
         {J.Output, J.Stats, J.DwoOutput, J.RemarksOutput, RemarksWritten})
      if (!F.empty())
        sys::fs::remove(F);
    return 1;
  }
  return 0;
}
