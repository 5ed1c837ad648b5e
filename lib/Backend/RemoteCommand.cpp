//===- RemoteCommand.cpp - Translate lto::Config to compiler flags --------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The remote compiler (clang 22) must generate code the way the in-process
// backend would. This file holds the translation from lto::Config, its
// TargetOptions and the linker's -mllvm options to clang driver flags. What
// LLVM 22 emits comes first, in its order, so that job files of a link with
// default options stay identical to upstream's; every other setting follows
// only when it differs from what clang does by default. FieldTable.def lists
// every field and how it is handled; what clang 22 cannot express is an
// error, never a silently different object.
//
//===----------------------------------------------------------------------===//

#include "RemoteCommand.h"

#include "dtlto/LTOConfigFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/Support/Path.h"

using namespace llvm;
using namespace dtlto;

namespace {

enum class How {
  Flag,
  Reject,
  Warn,
  Linker,
  Same,
  CGFlag,
  Fields,
  Field,
  Drop
};

const char *howName(How H) {
  switch (H) {
  case How::Flag:
    return "Flag";
  case How::Reject:
    return "Reject";
  case How::Warn:
    return "Warn";
  case How::Linker:
    return "Linker";
  case How::Same:
    return "Same";
  case How::CGFlag:
    return "CGFlag";
  case How::Fields:
    return "Fields";
  case How::Field:
    return "Field";
  case How::Drop:
    return "Drop";
  }
  return "?";
}

struct FieldInfo {
  const char *Name;
  How Handling;
  const char *Note;
};

const FieldInfo Fields[] = {
#define FIELD(Struct, Field, H, Note) {#Struct "." #Field, How::H, Note},
#include "FieldTable.def"
};

struct CodeGenFlag {
  const char *Name;
  How Handling;
  const char *Clang;
};

const CodeGenFlag CodeGenFlags[] = {
#define CGFLAG(Name, H, Clang) {Name, How::H, Clang},
#include "CodeGenFlags.def"
};

const CodeGenFlag *findCodeGenFlag(StringRef Name) {
  for (const CodeGenFlag &F : CodeGenFlags)
    if (Name == F.Name)
      return &F;
  return nullptr;
}

Error unsupported(const Twine &What, const Twine &Why) {
  return createStringError(inconvertibleErrorCode(),
                           "DTLTO: " + What +
                               " cannot be passed to the "
                               "remote compiler (" +
                               Why +
                               "); drop it, link without a distributor, or "
                               "make our worker the remote compiler "
                               "(--thinlto-remote-compiler=<dir>/"
                               "dtlto-codegen), which takes every option");
}

/// The few settings our worker cannot take either.
Error workerCannot(const Twine &What, const Twine &Why) {
  return createStringError(inconvertibleErrorCode(),
                           "DTLTO: " + What +
                               " cannot be used with remote backends (" + Why +
                               "); drop it or link without a "
                               "distributor");
}

/// clang 22's CPU when the driver gets no -march/-mcpu, for the triples
/// whose linker invocations name it (clang passes -plugin-opt=mcpu=).
StringRef clangDefaultCPU(const Triple &TT) {
  if (TT.getArch() == Triple::x86_64)
    return "x86-64";
  if (TT.getArch() == Triple::x86)
    return TT.isOSDarwin() ? "yonah" : "pentium4";
  return "";
}

/// A code-generation flag's value as the flag parser would read it.
bool boolValue(StringRef V) { return V.empty() || V == "true" || V == "1"; }

/// Sort the linker's -mllvm / -plugin-opt=- options: code-generation flags
/// (which clang does not register) are translated or rejected, the rest is
/// forwarded as -mllvm.
Error translateOptions(const std::vector<std::string> &Options,
                       bool ForwardMllvm, RemoteCommand &Cmd) {
  for (const std::string &Opt : Options) {
    StringRef Name = StringRef(Opt).ltrim('-');
    StringRef Value;
    std::tie(Name, Value) = Name.split('=');
    const CodeGenFlag *F = findCodeGenFlag(Name);
    if (!F) {
      if (ForwardMllvm) {
        Cmd.Args.push_back("-mllvm");
        Cmd.Args.push_back(Opt);
      }
      continue;
    }
    switch (F->Handling) {
    case How::Reject:
      return unsupported("the code-generation option '" + Opt + "'",
                         "clang 22 has no flag that sets it");
    case How::Flag: {
      StringRef Clang = F->Clang;
      bool WhenFalse = Clang.consume_front("!");
      SmallVector<StringRef, 2> Parts;
      Clang.split(Parts, ' ');
      if (Clang.ends_with("=")) {
        if (Value.empty())
          return unsupported("'" + Opt + "'", "it needs a value");
        for (size_t I = 0; I + 1 < Parts.size(); ++I)
          Cmd.Args.push_back(Parts[I].str());
        Cmd.Args.push_back((Parts.back() + Value).str());
      } else if (boolValue(Value) != WhenFalse) {
        for (StringRef P : Parts)
          Cmd.Args.push_back(P.str());
      }
      break;
    }
    default: // Field: translated from Config; Drop: no effect in LTO.
      break;
    }
  }
  return Error::success();
}

StringRef relocModelName(Reloc::Model M) {
  switch (M) {
  case Reloc::Static:
    return "static";
  case Reloc::PIC_:
    return "pic";
  case Reloc::DynamicNoPIC:
    return "dynamic-no-pic";
  case Reloc::ROPI:
    return "ropi";
  case Reloc::RWPI:
    return "rwpi";
  case Reloc::ROPI_RWPI:
    return "ropi-rwpi";
  }
  return "pic";
}

StringRef codeModelName(CodeModel::Model M) {
  switch (M) {
  case CodeModel::Tiny:
    return "tiny";
  case CodeModel::Small:
    return "small";
  case CodeModel::Kernel:
    return "kernel";
  case CodeModel::Medium:
    return "medium";
  case CodeModel::Large:
    return "large";
  }
  return "small";
}

/// Settings of our own fields that clang 22 cannot take, or that we do not
/// forward (Reject / Warn in FieldTable.def).
Error checkUnsupported(const lto::Config &Conf, const BackendOptions &Extra,
                       bool SaveTemps, RemoteCommand &Cmd) {
  // clang derives its code-generation level from -O; lld's default is
  // max(-O, 2). A level the user chose is an error; lld's own default for
  // --lto-O0/1 only a warning (LLVM 22 is silent about it).
  unsigned Remote = std::min(Conf.OptLevel, 3u);
  if (Conf.CGOptLevel != *CodeGenOpt::getLevel(Remote)) {
    if (Extra.ExplicitCGOptLevel)
      return unsupported("a code-generation level (--lto-CGO" +
                             Twine(unsigned(Conf.CGOptLevel)) +
                             ") different from the optimization level "
                             "(--lto-O" +
                             Twine(Conf.OptLevel) + ")",
                         "clang derives one from the other");
    Cmd.Warnings.push_back("remote backends generate code at level " +
                           std::to_string(Remote) + " (clang's for -O" +
                           std::to_string(Conf.OptLevel) +
                           "), the linker's default is " +
                           std::to_string(unsigned(Conf.CGOptLevel)) +
                           ": objects differ from in-process ThinLTO's");
  }
  if (!Conf.OptPipeline.empty())
    return unsupported("a custom pass pipeline ('" + Conf.OptPipeline + "')",
                       "clang has no flag for it");
  if (!Conf.AAPipeline.empty())
    return unsupported("a custom alias-analysis pipeline ('" + Conf.AAPipeline +
                           "')",
                       "clang has no flag for it");
  if (Conf.PreCodeGenPassesHook)
    return unsupported("a pre-codegen pass hook", "it runs in the linker");
  if (Conf.PreCodeGenModuleHook && !SaveTemps)
    return unsupported("--plugin-opt=emit-llvm (a pre-codegen module hook)",
                       "the hook runs in the linker, the code generation "
                       "remotely");
  if (Conf.CGFileType == CodeGenFileType::Null)
    return unsupported("a null output type", "a job must write a file");
  if (Conf.VerifyEach)
    return unsupported("verification after each pass", "no clang flag");
  if (Conf.Freestanding)
    return unsupported("a freestanding backend", "no clang flag");
  if (Conf.CodeGenOnly)
    return unsupported("code generation without optimization", "no clang flag");
  if (Conf.AddFSDiscriminator)
    return unsupported("flow-sensitive discriminators", "no clang flag");
  if (!Conf.DwoDir.empty() || !Conf.SplitDwarfFile.empty() ||
      !Conf.SplitDwarfOutput.empty() ||
      !Conf.Options.MCOptions.SplitDwarfFile.empty())
    return unsupported("split DWARF (dwo_dir)",
                       "each object names its own .dwo, per task");
  if (Conf.Options.BBSectionsFuncListBuf)
    return unsupported("a basic-block-sections function list",
                       "not supported yet");
  if (!Conf.RemarksFilename.empty())
    Cmd.Warnings.push_back("optimization remarks (" + Conf.RemarksFilename +
                           ") cover only the linker's part of the link: "
                           "remote backend compilations write none");
  if (!Conf.StatsFile.empty())
    Cmd.Warnings.push_back("statistics (" + Conf.StatsFile +
                           ") cover only the linker's part of the link: "
                           "remote backend compilations are not counted");
  return Error::success();
}

/// Our worker runs LLVM's backend with the whole configuration: only what
/// lives in the linker's code (hooks) or needs clang (its own flags) is
/// refused.
Expected<RemoteCommand>
buildWorkerCommand(const lto::Config &Conf, const Triple &TT,
                   const RemoteCompiler &RC, const BackendOptions &Extra,
                   bool SaveTemps, StringRef ConfigPath) {
  RemoteCommand Cmd;
  Cmd.Worker = true;
  if (!RC.PrependArgs.empty() || !RC.Args.empty())
    return workerCannot("--thinlto-remote-compiler-arg / -prepend-arg",
                        "they are clang's options; the worker " + RC.Path +
                            " takes the link's own configuration");
  if (Conf.PreCodeGenPassesHook)
    return workerCannot("a pre-codegen pass hook", "it runs in the linker");
  if (Conf.PreCodeGenModuleHook && !SaveTemps)
    return workerCannot("--plugin-opt=emit-llvm (a pre-codegen module hook)",
                        "the hook runs in the linker, the code generation "
                        "remotely");
  if (Conf.CGFileType == CodeGenFileType::Null)
    return workerCannot("a null output type", "a job must write a file");
  WorkerSettings Settings;
  if (Extra.ForwardMllvm) {
    std::vector<std::string> Options = Conf.MllvmArgs;
    append_range(Options, Extra.PluginOptions);
    // Code-generation flags are in the configuration already (the worker
    // does not register them).
    for (const std::string &Opt : Options)
      if (!findCodeGenFlag(StringRef(Opt).ltrim('-').split('=').first))
        Settings.LLVMOptions.push_back(Opt);
  }
  Cmd.ConfigText = writeLTOConfig(Conf, Settings);
  // -c/-S and --target are there for distributors, which check outputs by
  // them; the worker checks that they agree with the configuration.
  Cmd.Args = {
      RC.Path, Conf.CGFileType == CodeGenFileType::AssemblyFile ? "-S" : "-c",
      "--target=" + TT.str(), (workerjob::ConfigFlag + ConfigPath).str()};
  Cmd.Inputs.push_back(ConfigPath.str());
  if (!Conf.SampleProfile.empty())
    Cmd.Inputs.push_back(Conf.SampleProfile);
  if (!Conf.RunCSIRInstr && !Conf.CSIRProfile.empty())
    Cmd.Inputs.push_back(Conf.CSIRProfile);
  if (!Conf.ProfileRemapping.empty())
    Cmd.Inputs.push_back(Conf.ProfileRemapping);
  append_range(Cmd.Inputs, Conf.PassPlugins);
  return Cmd;
}

} // namespace

bool dtlto::isWorker(StringRef CompilerPath) {
  return sys::path::filename(CompilerPath) == "dtlto-codegen";
}

std::vector<SideOutput> dtlto::workerSideOutputs(const lto::Config &Conf,
                                                 unsigned Task) {
  std::vector<SideOutput> Out;
  std::string Dwo = inProcessDwoFile(Conf, Task);
  if (!Dwo.empty())
    Out.push_back({workerjob::DwoFlag, Dwo});
  std::string Remarks = inProcessRemarksFile(Conf, Task);
  if (!Remarks.empty())
    Out.push_back({workerjob::RemarksFlag, Remarks});
  return Out;
}

Expected<RemoteCommand>
dtlto::buildRemoteCommand(const lto::Config &Conf, const Triple &TT,
                          const RemoteCompiler &RC, const BackendOptions &Extra,
                          bool SaveTemps, StringRef ConfigPath) {
  if (isWorker(RC.Path))
    return buildWorkerCommand(Conf, TT, RC, Extra, SaveTemps, ConfigPath);
  RemoteCommand Cmd;
  if (Error E = checkUnsupported(Conf, Extra, SaveTemps, Cmd))
    return std::move(E);
  std::vector<std::string> &A = Cmd.Args;
  bool COFF = TT.isOSBinFormatCOFF();

  // LLVM 22's part, in its order.
  A.push_back(RC.Path);
  A.insert(A.end(), RC.PrependArgs.begin(), RC.PrependArgs.end());
  A.push_back(Conf.CGFileType == CodeGenFileType::AssemblyFile ? "-S" : "-c");
  A.push_back("--target=" +
              (Conf.OverrideTriple.empty() ? TT.str() : Conf.OverrideTriple));
  A.push_back("-O" + std::to_string(Conf.OptLevel));
  if (Conf.Options.EmitAddrsig)
    A.push_back("-faddrsig");
  if (Conf.Options.FunctionSections)
    A.push_back("-ffunction-sections");
  if (Conf.Options.DataSections)
    A.push_back("-fdata-sections");
  if (Conf.RelocModel == Reloc::PIC_ && !COFF)
    A.push_back("-fpic");
  if (!Conf.PGOWarnMismatch) {
    A.push_back("-mllvm");
    A.push_back("-no-pgo-warn-mismatch");
  }
  if (!Conf.SampleProfile.empty()) {
    A.push_back("-fprofile-sample-use=" + Conf.SampleProfile);
    Cmd.Inputs.push_back(Conf.SampleProfile);
  }
  A.push_back("-Wno-unused-command-line-argument");

  // Everything else LLVM 22 drops, where it differs from clang's default.
  if (Conf.RelocModel && *Conf.RelocModel != Reloc::PIC_ && !COFF) {
    if (*Conf.RelocModel == Reloc::Static)
      A.push_back("-fno-pic");
    else
      append_range(
          A, ArrayRef<std::string>{"-Xclang", "-mrelocation-model", "-Xclang",
                                   relocModelName(*Conf.RelocModel).str()});
  }
  if (Conf.CodeModel)
    A.push_back("-mcmodel=" + codeModelName(*Conf.CodeModel).str());
  if (!Conf.CPU.empty() && Conf.CPU != clangDefaultCPU(TT))
    append_range(A, ArrayRef<std::string>{"-Xclang", "-target-cpu", "-Xclang",
                                          Conf.CPU});
  for (const std::string &Attr : Conf.MAttrs)
    for (StringRef F : split(Attr, ','))
      if (!F.empty())
        append_range(A, ArrayRef<std::string>{"-Xclang", "-target-feature",
                                              "-Xclang", F.str()});
  switch (Conf.Options.BBSections) {
  case BasicBlockSection::All:
    A.push_back("-fbasic-block-sections=all");
    break;
  case BasicBlockSection::List:
  case BasicBlockSection::Preset:
    return unsupported("a basic-block-sections function list",
                       "not supported yet");
  case BasicBlockSection::None:
    break;
  }
  if (Conf.Options.BBAddrMap)
    A.push_back("-fbasic-block-address-map");
  if (Conf.Options.UniqueBasicBlockSectionNames)
    A.push_back("-funique-basic-block-section-names");
  if (Conf.RunCSIRInstr) {
    append_range(
        A, ArrayRef<std::string>{"-Xclang", "-fprofile-instrument=csllvm"});
    if (!Conf.CSIRProfile.empty())
      append_range(
          A, ArrayRef<std::string>{"-Xclang", "-fprofile-instrument-path=" +
                                                  Conf.CSIRProfile});
  } else if (!Conf.CSIRProfile.empty()) {
    A.push_back("-fprofile-instr-use=" + Conf.CSIRProfile);
    Cmd.Inputs.push_back(Conf.CSIRProfile);
  }
  if (!Conf.ProfileRemapping.empty()) {
    A.push_back("-fprofile-remapping-file=" + Conf.ProfileRemapping);
    Cmd.Inputs.push_back(Conf.ProfileRemapping);
  }
  if (Conf.DebugPassManager)
    append_range(A, ArrayRef<std::string>{"-Xclang", "-fdebug-pass-manager"});
  for (const std::string &Plugin : Conf.PassPlugins) {
    A.push_back("-fpass-plugin=" + Plugin);
    Cmd.Inputs.push_back(Plugin);
  }
  std::vector<std::string> Options = Conf.MllvmArgs;
  Options.insert(Options.end(), Extra.PluginOptions.begin(),
                 Extra.PluginOptions.end());
  if (Error E = translateOptions(Options, Extra.ForwardMllvm, Cmd))
    return std::move(E);

  A.insert(A.end(), RC.Args.begin(), RC.Args.end());
  return Cmd;
}

void dtlto::printFieldTable(raw_ostream &OS) {
  for (const FieldInfo &F : Fields)
    OS << F.Name << ' ' << howName(F.Handling) << ' ' << F.Note << '\n';
  for (const CodeGenFlag &F : CodeGenFlags)
    OS << "codegen-flag " << F.Name << ' ' << howName(F.Handling) << ' '
       << F.Clang << '\n';
}
