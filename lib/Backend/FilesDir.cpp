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
// filesystem with room to spare; there, each link has a directory of its
// own ("link.XXXXXX"), removed at its end. A file in memory holds memory
// until it is removed, so a link killed outright (SIGKILL, the OOM killer)
// must not leave its files for good: each link holds an flock on
// "link.XXXXXX.lock" for its lifetime, and the next link removes every
// directory whose lock nobody holds (the kernel drops a lock with its
// process however it died; process IDs would be reused, and differ between
// PID namespaces). Any other
// distributor, a link that keeps files (--save-temps; the shards with
// --thinlto-emit-index-files, as in LLVM 22: the user wants them beside the
// output) and a directory that is not private keep LLVM 22's place;
// --thinlto-temp-dir=<dir> names the directory outright.
//
//===----------------------------------------------------------------------===//

#include "FilesDir.h"

#include "dtlto/LinkInputs.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

#include <cerrno>
#include <cstdlib>
#include <dirent.h>
#include <fcntl.h>
#include <mutex>
#include <sys/file.h>
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
  std::string Dir;
  // A link's own directory in memory: removed at the end, its lock held
  // until then.
  std::string OwnDir;
  int LockFd = -1;
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

// Remove the directories in \p Base of links that ended without removing
// them: those whose lock can be taken.
void sweepDeadLinks(const std::string &Base) {
  DIR *D = ::opendir(Base.c_str());
  if (!D)
    return;
  std::vector<std::string> Locks;
  while (dirent *E = ::readdir(D)) {
    StringRef Name = E->d_name;
    if (Name.starts_with("link.") && Name.ends_with(".lock"))
      Locks.push_back(Base + "/" + Name.str());
  }
  ::closedir(D);
  for (const std::string &Lock : Locks) {
    int Fd = ::open(Lock.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (Fd < 0)
      continue;
    if (::flock(Fd, LOCK_EX | LOCK_NB) == 0) {
      std::string Dir = Lock.substr(0, Lock.size() - 5);
      (void)sys::fs::remove_directories(Dir, /*IgnoreErrors=*/true);
      ::unlink(Lock.c_str());
    }
    ::close(Fd);
  }
}

// A directory of this link's own in \p Base, its lock held by \p LockFd.
// The lock file gets its name already locked (it is locked under another
// name first), so a sweep never finds it free while this link lives.
std::string makeOwnDir(const std::string &Base, int &LockFd) {
  SmallString<128> Template(Base);
  sys::path::append(Template, "link.XXXXXX");
  std::string Dir(Template.str());
  if (!::mkdtemp(Dir.data()))
    return "";
  std::string Locking = Dir + ".locking", Lock = Dir + ".lock";
  int Fd = ::open(Locking.c_str(),
                  O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (Fd >= 0 && ::flock(Fd, LOCK_EX) == 0 &&
      ::rename(Locking.c_str(), Lock.c_str()) == 0) {
    LockFd = Fd;
    return Dir;
  }
  if (Fd >= 0) {
    ::close(Fd);
    ::unlink(Locking.c_str());
  }
  ::rmdir(Dir.c_str());
  return "";
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
  }
  Choice &C = choice();
  std::lock_guard<std::mutex> L(C.Mu);
  if (UserDir.empty() && !KeepsFiles &&
      sys::path::filename(Distributor) == "dtlto-dist") {
    std::string Memory = privateMemoryDir(Warning);
    if (!Memory.empty()) {
      sweepDeadLinks(Memory);
      std::string Own = makeOwnDir(Memory, C.LockFd);
      if (!Own.empty())
        Dir = C.OwnDir = Own;
    }
  }
  C.Made = true;
  C.Dir = Dir;
  return Dir;
}

std::string dtlto::linkFilesDir(StringRef LinkerOutputFile) {
  Choice &C = choice();
  std::lock_guard<std::mutex> L(C.Mu);
  if (C.Made)
    return C.Dir;
  return sys::path::parent_path(LinkerOutputFile).str();
}

void dtlto::removeLinkFilesDir() {
  Choice &C = choice();
  std::lock_guard<std::mutex> L(C.Mu);
  // Not empty yet: whoever removes the last file calls again.
  if (C.OwnDir.empty() || ::rmdir(C.OwnDir.c_str()) != 0)
    return;
  ::unlink((C.OwnDir + ".lock").c_str());
  ::close(C.LockFd);
  C.LockFd = -1;
  C.OwnDir.clear();
}
