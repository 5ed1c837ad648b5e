//===- lto2.cpp - dtlto-lto2, an llvm-lto2-style driver for our backend ---===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// `dtlto-lto2 run` links bitcode files given explicit symbol resolutions, as
// `llvm-lto2 run` does, so tests can drive the backend without clang or a
// linker. With --dtlto-distributor the ThinLTO backend is ours; without it
// the in-process backend runs (for comparisons). Native objects are written
// to <-o>.<task>.
//
//===----------------------------------------------------------------------===//

#include "dtlto/Backend.h"
#include "dtlto/LTOConfigFile.h"

#include "llvm/CodeGen/CommandFlags.h"
#include "llvm/DTLTO/DTLTO.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/LTO/LTO.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/Threading.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <list>
#include <map>

using namespace llvm;

static codegen::RegisterCodeGenFlags CGF;

static cl::list<std::string> InputFilenames(cl::Positional,
                                            cl::desc("<input bitcode files>"));
static cl::opt<std::string> OutputFilename("o", cl::Required,
                                           cl::desc("Output filename prefix"),
                                           cl::value_desc("filename"));
static cl::list<std::string>
    Resolutions("r", cl::desc("Symbol resolution: file,symbol,flags where "
                              "flags are p (prevailing), l (final definition "
                              "in linkage unit), x (visible to regular "
                              "object), r (linker redefined)"));
static cl::opt<char> OptLevel("O", cl::Prefix, cl::init('2'),
                              cl::desc("Optimization level: -O0 .. -O3"));
static cl::opt<char> CGOptLevel("cg-opt-level", cl::init('2'),
                                cl::desc("Codegen optimization level "
                                         "(default: the -O level)"));
static cl::opt<std::string> CacheDir("cache-dir", cl::desc("Cache directory"));
static cl::opt<bool> SaveTemps("save-temps", cl::desc("Save temporary files"));
static cl::opt<bool> EmitIndexes("thinlto-emit-indexes",
                                 cl::desc("Write the index files"));
static cl::opt<bool> EmitImports("thinlto-emit-imports",
                                 cl::desc("Write the imports files"));
static cl::opt<std::string>
    SampleProfile("lto-sample-profile-file",
                  cl::desc("Sample profile for the ThinLTO backends"));
static cl::opt<unsigned> Threads("thinlto-threads", cl::init(0),
                                 cl::desc("ThinLTO threads (0: all cores)"));
static cl::opt<bool> PGOWarnMismatch("lto-pgo-warn-mismatch", cl::init(true),
                                     cl::desc("Warn on PGO hash mismatch"));

static cl::opt<std::string>
    Distributor("dtlto-distributor",
                cl::desc("Distributor program; enables DTLTO"));
static cl::list<std::string>
    DistributorArgs("dtlto-distributor-arg", cl::CommaSeparated,
                    cl::desc("Argument for the distributor"));
static cl::alias
    DistributorArgsOld("thinlto-distributor-arg", cl::aliasopt(DistributorArgs),
                       cl::desc("Alias for -dtlto-distributor-arg"));
static cl::opt<std::string> Compiler("dtlto-compiler",
                                     cl::desc("Remote compiler for the jobs"));
static cl::alias CompilerOld("dtlto-remote-opt-tool", cl::aliasopt(Compiler),
                             cl::desc("Alias for -dtlto-compiler"));
static cl::list<std::string>
    CompilerArgs("dtlto-compiler-arg", cl::CommaSeparated,
                 cl::desc("Argument appended to the remote compiler command"));
static cl::alias CompilerArgsOld("thinlto-remote-opt-tool-arg",
                                 cl::aliasopt(CompilerArgs),
                                 cl::desc("Alias for -dtlto-compiler-arg"));
static cl::list<std::string> CompilerPrependArgs(
    "dtlto-compiler-prepend-arg", cl::CommaSeparated,
    cl::desc("Argument inserted right after the remote compiler"));
static cl::opt<bool>
    Fallback("dtlto-fallback",
             cl::desc("Compile in-process the modules whose jobs failed"));
static cl::opt<unsigned>
    DistributorTimeout("dtlto-distributor-timeout", cl::init(0),
                       cl::desc("Stop the distributor after this many "
                                "seconds (0: no limit)"));
static cl::opt<bool> DTLTOFlag("dtlto",
                               cl::desc("Design-era switch; DTLTO is enabled "
                                        "by -dtlto-distributor"));

static void fail(const Twine &Msg) {
  WithColor::error(errs(), "dtlto-lto2") << Msg << "\n";
  exit(1);
}

static void check(Error E, const Twine &Context) {
  if (E)
    fail(Context + ": " + toString(std::move(E)));
}

template <typename T> static T check(Expected<T> E, const Twine &Context) {
  if (!E)
    fail(Context + ": " + toString(E.takeError()));
  return std::move(*E);
}

static std::vector<StringRef> refs(const std::vector<std::string> &V) {
  return std::vector<StringRef>(V.begin(), V.end());
}

static int run(int Argc, char **Argv) {
  cl::ParseCommandLineOptions(Argc, Argv, "DTLTO resolution-based LTO driver");
  if (DTLTOFlag && Distributor.empty())
    fail("-dtlto needs -dtlto-distributor=<program>");
  if (!Distributor.empty() && Compiler.empty())
    fail("-dtlto-distributor needs -dtlto-compiler=<path to clang>, the "
         "compiler that runs the backend jobs");
  auto Level = [](char C, const char *Name) {
    if (C < '0' || C > '3')
      fail(Twine("invalid ") + Name + " '" + Twine(C) + "'; expected 0-3");
    return unsigned(C - '0');
  };

  // file -> symbol -> resolutions, consumed as symbols are seen.
  std::map<std::pair<std::string, std::string>,
           std::list<lto::SymbolResolution>>
      ResMap;
  for (const std::string &R : Resolutions) {
    StringRef Rest = R, File, Sym, Flags;
    std::tie(File, Rest) = Rest.split(',');
    std::tie(Sym, Flags) = Rest.split(',');
    if (File.empty() || Sym.empty() || Rest.size() == Sym.size())
      fail("invalid resolution '" + R + "'; expected file,symbol,flags");
    lto::SymbolResolution Res;
    for (char C : Flags) {
      switch (C) {
      case 'p':
        Res.Prevailing = true;
        break;
      case 'l':
        Res.FinalDefinitionInLinkageUnit = true;
        break;
      case 'x':
        Res.VisibleToRegularObj = true;
        break;
      case 'r':
        Res.LinkerRedefined = true;
        break;
      default:
        fail("invalid resolution flag '" + Twine(C) + "' in '" + R + "'");
      }
    }
    ResMap[{File.str(), Sym.str()}].push_back(Res);
  }

  lto::Config Conf;
  Conf.Options = codegen::InitTargetOptionsFromCodeGenFlags(Triple());
  if (auto RM = codegen::getExplicitRelocModel())
    Conf.RelocModel = *RM;
  Conf.CodeModel = codegen::getExplicitCodeModel();
  Conf.OptLevel = Level(OptLevel, "-O");
  // Unlike llvm-lto2 (always 2 by default), the codegen level follows -O
  // unless given, as in lld and clang: a remote clang cannot do otherwise.
  dtlto::backendOptions().ExplicitCGOptLevel = CGOptLevel.getNumOccurrences();
  Conf.CGOptLevel = *CodeGenOpt::getLevel(
      CGOptLevel.getNumOccurrences() ? Level(CGOptLevel, "-cg-opt-level")
                                     : Conf.OptLevel);
  Conf.SampleProfile = SampleProfile;
  Conf.PGOWarnMismatch = PGOWarnMismatch;
  Conf.DiagHandler = [](const DiagnosticInfo &DI) {
    DiagnosticPrinterRawOStream DP(errs());
    errs() << "dtlto-lto2: ";
    DI.print(DP);
    errs() << "\n";
    if (DI.getSeverity() == DS_Error)
      exit(1);
  };
  if (SaveTemps)
    check(Conf.addSaveTemps(OutputFilename + "."), "cannot save temps");

  ThreadPoolStrategy Parallelism = heavyweight_hardware_concurrency(Threads);
  std::unique_ptr<lto::LTO> LTO;
  if (!Distributor.empty()) {
    dtlto::backendOptions().Fallback = Fallback;
    dtlto::backendOptions().DistributorTimeout = DistributorTimeout;
    lto::ThinBackend Backend = dtlto::createOutOfProcessThinBackend(
        Parallelism, /*OnWrite=*/nullptr, EmitIndexes, EmitImports,
        OutputFilename, Distributor, refs(DistributorArgs), Compiler,
        refs(CompilerPrependArgs), refs(CompilerArgs), SaveTemps);
    LTO = std::make_unique<lto::DTLTO>(std::move(Conf), Backend, 1,
                                       lto::LTO::LTOK_Default, OutputFilename,
                                       SaveTemps);
  } else {
    lto::ThinBackend Backend = lto::createInProcessThinBackend(
        Parallelism, /*OnWrite=*/nullptr, EmitIndexes, EmitImports);
    LTO = std::make_unique<lto::LTO>(std::move(Conf), Backend);
  }

  std::vector<std::unique_ptr<MemoryBuffer>> Buffers;
  for (const std::string &F : InputFilenames) {
    ErrorOr<std::unique_ptr<MemoryBuffer>> MB = MemoryBuffer::getFile(F);
    if (!MB)
      fail("cannot open '" + F + "': " + MB.getError().message());
    std::unique_ptr<lto::InputFile> Input =
        check(lto::InputFile::create((*MB)->getMemBufferRef()), F);
    std::vector<lto::SymbolResolution> Res;
    for (const lto::InputFile::Symbol &Sym : Input->symbols()) {
      auto It = ResMap.find({F, Sym.getName().str()});
      if (It == ResMap.end() || It->second.empty())
        fail("missing symbol resolution for " + F + "," + Sym.getName());
      Res.push_back(It->second.front());
      It->second.pop_front();
      if (It->second.empty())
        ResMap.erase(It);
    }
    check(LTO->add(std::move(Input), Res), F);
    Buffers.push_back(std::move(*MB));
  }
  if (!ResMap.empty())
    fail("unused symbol resolution for " + ResMap.begin()->first.first + "," +
         ResMap.begin()->first.second);

  auto AddStream = [&](size_t Task, const Twine &ModuleName)
      -> Expected<std::unique_ptr<CachedFileStream>> {
    std::string Path = OutputFilename + "." + utostr(Task);
    std::error_code EC;
    auto S = std::make_unique<raw_fd_ostream>(Path, EC, sys::fs::OF_None);
    if (EC)
      return createFileError(Path, EC);
    return std::make_unique<CachedFileStream>(std::move(S), Path);
  };
  auto AddBuffer = [&](size_t Task, const Twine &ModuleName,
                       std::unique_ptr<MemoryBuffer> MB) {
    auto S = check(AddStream(Task, ModuleName), "cannot write output");
    *S->OS << MB->getBuffer();
    check(S->commit(), "cannot write output");
  };
  FileCache Cache;
  if (!CacheDir.empty())
    Cache = check(localCache("ThinLTO", "Thin", CacheDir, AddBuffer),
                  "cannot open cache");
  check(LTO->run(AddStream, Cache), "LTO::run failed");
  return 0;
}

int main(int Argc, char **Argv) {
  InitLLVM X(Argc, Argv);
  InitializeAllTargets();
  InitializeAllTargetMCs();
  InitializeAllAsmPrinters();
  InitializeAllAsmParsers();
  if (Argc == 2 && StringRef(Argv[1]) == "print-field-table") {
    dtlto::printFieldTable(outs());
    return 0;
  }
  if (Argc == 2 && StringRef(Argv[1]) == "print-config-fields") {
    dtlto::printLTOConfigFields(outs());
    return 0;
  }
  if (Argc < 2 || StringRef(Argv[1]) != "run") {
    errs() << "usage: " << Argv[0] << " run [options] <bitcode files>\n";
    return 1;
  }
  // Drop "run" so that cl:: sees the options.
  std::vector<char *> Args = {Argv[0]};
  Args.insert(Args.end(), Argv + 2, Argv + Argc);
  return run(Args.size(), Args.data());
}
