//===- FilesDir.cpp - Where a link's DTLTO files go -----------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// LLVM 22 writes a DTLTO link's files (archive members, index shards, native
// objects, the job file) beside the linker output, where any distributor,
// local or remote, can reach them. Each is created, written once, read once
// and removed within the link. On a disk filesystem that costs more than the
// bytes: creating a file takes the directory's lock and allocates an inode
// (on an ext4 without a journal, scanning for recently freed ones), and two
// threads creating files in one directory wait on each other. On a small
// link that is most of what DTLTO costs over in-process ThinLTO.
//
// When the distributor is dtlto-dist, whose jobs run on this machine, the
// files go to a directory in memory that only this user can open:
// $XDG_RUNTIME_DIR/dtlto, else /dev/shm/dtlto-<uid>, if it is a memory
// filesystem with room to spare. Names there carry the linker's process ID,
// so links into outputs of the same name never share a file. Any other
// distributor, a link that keeps files (--save-temps; the shards with
// --thinlto-emit-index-files, as in LLVM 22: the user wants them beside the
// output) and a directory that is not private keep LLVM 22's place;
// --thinlto-temp-dir=<dir> names the directory outright.
//
//===----------------------------------------------------------------------===//

#include "FilesDir.h"

#include "dtlto/LinkInputs.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <cstdlib>
#include <mutex>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>
#ifdef __linux__
#include <linux/magic.h>
#include <sys/vfs.h>
#endif

using namespace llvm;
using namespace dtlto;

namespace {

// Below this much free space the output's directory is the safer place:
// objects of a large link take gigabytes, and memory is not a disk.
constexpr uint64_t MinFreeBytes = uint64_t(2) << 30;

struct Choice {
  std::mutex Mu;
  bool Made = false;
  bool Apart = false;
  std::string Dir;
};

Choice &choice() {
  static Choice C;
  return C;
}

bool isMemoryFilesystem(const std::string &Path) {
#ifdef __linux__
  struct statfs FS;
  return statfs(Path.c_str(), &FS) == 0 &&
         (FS.f_type == TMPFS_MAGIC || FS.f_type == RAMFS_MAGIC);
#else
  (void)Path;
  return false;
#endif
}

// \p Dir, created if missing, if it is a directory of ours that no one else
// may open (a directory someone else made, or a symlink, is refused: a
// world-writable parent must not let another user see or plant our files).
bool makePrivateDir(const std::string &Dir, std::string &Warning) {
  if (::mkdir(Dir.c_str(), 0700) != 0 && errno != EEXIST)
    return false;
  struct stat St;
  if (::lstat(Dir.c_str(), &St) != 0)
    return false;
  if (!S_ISDIR(St.st_mode) || St.st_uid != ::geteuid() || (St.st_mode & 077)) {
    Warning = "'" + Dir +
              "' is not a directory private to this user; DTLTO does not "
              "put its files there";
    return false;
  }
  struct statvfs V;
  return ::statvfs(Dir.c_str(), &V) == 0 &&
         uint64_t(V.f_bavail) * V.f_frsize >= MinFreeBytes;
}

std::string privateMemoryDir(std::string &Warning) {
  std::vector<std::pair<std::string, std::string>> Candidates; // Parent, dir.
  if (const char *X = std::getenv("XDG_RUNTIME_DIR"); X && *X == '/')
    Candidates.push_back({X, std::string(X) + "/dtlto"});
  Candidates.push_back(
      {"/dev/shm", "/dev/shm/dtlto-" + std::to_string(::geteuid())});
  for (const auto &[Parent, Dir] : Candidates)
    if (isMemoryFilesystem(Parent) && makePrivateDir(Dir, Warning))
      return Dir;
  return "";
}

} // namespace

Expected<std::string> dtlto::chooseLinkFilesDir(StringRef LinkerOutputFile,
                                                StringRef Distributor,
                                                bool KeepsFiles,
                                                StringRef UserDir,
                                                std::string &Warning) {
  std::string OutputDir = sys::path::parent_path(LinkerOutputFile).str();
  std::string Dir = OutputDir;
  if (!UserDir.empty()) {
    if (std::error_code EC = sys::fs::create_directories(UserDir))
      return createStringError(EC,
                               "cannot create the DTLTO directory '%s' "
                               "(--thinlto-temp-dir=): %s",
                               UserDir.str().c_str(), EC.message().c_str());
    Dir = UserDir.str();
  } else if (!KeepsFiles && sys::path::filename(Distributor) == "dtlto-dist") {
    std::string Memory = privateMemoryDir(Warning);
    if (!Memory.empty())
      Dir = Memory;
  }
  Choice &C = choice();
  std::lock_guard<std::mutex> L(C.Mu);
  C.Made = true;
  C.Dir = Dir;
  C.Apart = Dir != OutputDir;
  return Dir;
}

std::string dtlto::linkFilesDir(StringRef LinkerOutputFile, bool &Apart) {
  Choice &C = choice();
  std::lock_guard<std::mutex> L(C.Mu);
  Apart = C.Made && C.Apart;
  if (C.Made)
    return C.Dir;
  return sys::path::parent_path(LinkerOutputFile).str();
}
