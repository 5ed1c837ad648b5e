//===- ObjectIntake.cpp - Each DTLTO job's object into the link -----------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What comes back from a job before it may reach the link: the object is
// read and checked (format, target, that it is this module's), a worker
// job's statistics are taken, and only then is the object handed to the link
// (through the cache on a miss); with --thinlto-distributor-fallback, a job
// whose object is unusable is compiled in the linker instead.
//
//===----------------------------------------------------------------------===//

#include "OutOfProcessBackend.h"
#include "RemoteStatistics.h"

#include "dtlto/ObjectCheck.h"

#include "llvm/LTO/LTOBackend.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/TimeProfiler.h"

using namespace llvm;
using namespace dtlto;
using namespace dtlto::backend;

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
  if (Opts.Extra.Fallback) {
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

Error OutOfProcessThinBackend::addToLink(JobState &J) {
  AddStreamFn &Add = J.CacheAddStream ? J.CacheAddStream : AddStream;
  Expected<std::unique_ptr<CachedFileStream>> Stream = Add(J.Task, J.ModuleID);
  if (!Stream)
    return Stream.takeError();
  *(*Stream)->OS << J.Object->getBuffer();
  J.Object.reset();
  return (*Stream)->commit();
}
