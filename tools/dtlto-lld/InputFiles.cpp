//===- InputFiles.cpp - lto::DTLTO's input preparation, ours --------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// lld 22 links DTLTO through lto::DTLTO, whose constructor is inline in
// llvm/DTLTO/DTLTO.h: lld's own code sets the object's vtable, which it
// takes from whichever definition of the vtable the executable binds. The
// vtable is emitted with the class's first out-of-line virtual function, so
// defining DTLTO's three virtual functions here puts the vtable in this
// executable, and lld's links call these instead of libLLVM's. CMake checks
// that lld's libraries still reference the vtable and that the executable
// defines it (as for the backend hook in Hook.cpp).
//
// What we do differently from LLVM 22: an archive member or FatLTO object
// gets a module ID of the form LLVM 22 gives it ("<output dir>/<name>.<seq>.
// <HEX>.o", the name distributors see; HEX is a hash of the output's name,
// not the process ID, so the name is the same in every link) but its file
// is not written before the thin link. Nor does the name hold the member's
// offset in the archive (see stableName). It is recorded
// (include/dtlto/LinkInputs.h) and our backend writes it only if a job reads
// it, so a link whose modules hit the ThinLTO cache writes none. The record
// also keeps the ID the linker gave the module, for the index and imports files
// the user asked for. The directory is the one our backend chose for the
// link's files (the output's, or one in memory: lib/Backend/FilesDir.cpp).
//
//===----------------------------------------------------------------------===//

#include "dtlto/Backend.h"
#include "dtlto/LinkInputs.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/BinaryFormat/Magic.h"
#include "llvm/DTLTO/DTLTO.h"
#include "llvm/Object/Archive.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/TimeProfiler.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/xxhash.h"

using namespace llvm;

// Is the archive at Path a thin one (members are files beside it)? The
// errors are LLVM 22's.
static Expected<bool> readIsThin(StringRef Path) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> Head =
      MemoryBuffer::getFileSlice(Path, sizeof(object::ThinArchiveMagic) - 1, 0);
  if (!Head) {
    uint64_t Size;
    if (std::error_code EC = sys::fs::file_size(Path, Size))
      return createStringError(EC,
                               "Failed to get file size from archive %s: %s",
                               Path.str().c_str(), EC.message().c_str());
    if (Size < sizeof(object::ThinArchiveMagic) - 1)
      return createStringError(inconvertibleErrorCode(),
                               "Archive file size is too small %s",
                               Path.str().c_str());
    return createStringError(
        Head.getError(), "Failed to read from archive %s: %s",
        Path.str().c_str(), Head.getError().message().c_str());
  }
  StringRef Magic = (*Head)->getBuffer();
  if (identify_magic(Magic) != file_magic::archive)
    return createStringError(inconvertibleErrorCode(),
                             "Unknown format for archive %s",
                             Path.str().c_str());
  return Magic.starts_with(object::ThinArchiveMagic);
}

// 8 uppercase hex digits naming the link's output, in the place where LLVM
// 22 puts its process ID.
static std::string outputTag(StringRef LinkerOutputFile) {
  uint64_t H = xxh3_64bits(LinkerOutputFile);
  return utohexstr((H ^ (H >> 32)) & 0xffffffff, /*LowerCase=*/false, 8);
}

// lld names an archive member "lib.a(m.o at 1234)", 1234 being its offset
// in the archive, which changes whenever a member before it does: without
// it (the sequence number keeps names unique), a member's name, and so its
// job's action, stays the same when another member changes.
static std::string stableName(StringRef Name) {
  size_t At = Name.rfind(" at ");
  if (Name.ends_with(")") && At != StringRef::npos && Name.find('(') < At &&
      all_of(Name.slice(At + 4, Name.size() - 1),
             [](char C) { return C >= '0' && C <= '9'; }))
    return (Name.take_front(At) + ")").str();
  return Name.str();
}

// A thin archive's member names a file relative to the archive's directory
// (or an absolute one); the path is made without "." and ".." components.
static std::string thinMemberPath(StringRef Archive, StringRef Member) {
  SmallString<256> P;
  if (sys::path::is_relative(Member))
    P = sys::path::parent_path(Archive);
  sys::path::append(P, Member);
  sys::path::remove_dots(P, /*remove_dot_dot=*/true);
  return std::string(P);
}

Expected<std::shared_ptr<lto::InputFile>>
lto::DTLTO::addInput(std::unique_ptr<lto::InputFile> InputPtr) {
  TimeTraceScope Scope("Add input for DTLTO");
  InputFiles.emplace_back(InputPtr.release());
  std::shared_ptr<InputFile> &In = InputFiles.back();
  StringRef Archive = In->getArchivePath();
  // A bitcode file of its own: its path is already what a job reads.
  if (Archive.empty() && !In->isFatLTOObject())
    return In;

  BitcodeModule &BM = In->getPrimaryBitcodeModule();
  if (!In->isFatLTOObject()) {
    auto Cached = ArchiveIsThinCache.find(Archive);
    if (Cached == ArchiveIsThinCache.end()) {
      Expected<bool> Thin = readIsThin(Archive);
      if (!Thin)
        return Thin.takeError();
      Cached = ArchiveIsThinCache.insert({Archive, *Thin}).first;
    }
    if (Cached->second) {
      BM.setModuleIdentifier(
          Saver.save(thinMemberPath(Archive, In->getMemberName())));
      return In;
    }
  }

  // The bytes live inside another file: name the file a job will read.
  In->setSerializeForDistribution(true);
  std::string Dir = dtlto::linkFilesDir(LinkerOutputFile);
  StringRef Original = In->getName();
  // LLVM 22 ends the name with the linker's process ID in hex. We end it
  // with a hash of the output's name instead: unique per output (so links
  // into one directory do not collide) but the same in every link of that
  // output, here or on another machine, so a farm's action cache (whose key
  // holds every path a job reads) serves the next link too.
  SmallString<256> ID(Dir);
  sys::path::append(ID, stableName(sys::path::filename(Original)) + "." +
                            Twine(InputFiles.size()) + "." +
                            outputTag(LinkerOutputFile) + ".o");
  StringRef NewID = Saver.save(ID.str());
  // (Whether the input is ThinLTO is not known yet: a regular LTO member is
  // renamed too, as in LLVM 22, but no job reads it, so nothing writes it.)
  dtlto::addSerializedInput(NewID, Original, In->getFileBuffer());
  BM.setModuleIdentifier(NewID);
  return In;
}

// Called at the start of LTO::run. Our backend writes the files its jobs
// read; any other backend gets them all now, as from LLVM 22.
Error lto::DTLTO::serializeInputsForDistribution() {
  if (dtlto::backendWritesInputs())
    return Error::success();
  std::vector<std::string> ThinLTO;
  for (const std::shared_ptr<InputFile> &In : InputFiles)
    if (In->isThinLTO() && In->getSerializeForDistribution())
      ThinLTO.push_back(In->getName().str());
  return dtlto::writeSerializedInputs(ThinLTO, SaveTemps);
}

// Called when LTO::run returns, after LLVM has written and closed the
// statistics file (--plugin-opt=stats-file=), to which the remote backends'
// counters are added.
void lto::DTLTO::cleanup() {
  dtlto::removeSerializedInputs();
  dtlto::removeLinkFilesDir();
  dtlto::endEarlyServer(); // If no distributor ran.
  if (Error E = dtlto::mergeRemoteStatistics())
    WithColor::warning() << "DTLTO: " << toString(std::move(E)) << "\n";
  LTO::cleanup();
}
