//===- EarlyServer.cpp - The codegen server, started with the link --------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A dtlto-codegen server takes ~15 ms to start (mapping and relocating
// libLLVM and libclang-cpp, static initialisers) and, when dtlto-dist
// starts it, every job of a small link waits for that; when it ends,
// dtlto-dist waits for it to unmap its memory (~5 ms) before the link goes
// on. In-process ThinLTO pays neither. So when the link will run jobs on
// such a server, our linker starts it itself, before lld reads its inputs,
// and hands it to dtlto-dist (`--codegen-server-fds=PID:TO:FROM[,TO:FROM]`,
// the
// descriptors inherited), which sends each lane the job file's common
// arguments first and then jobs as usual. The server stays the linker's
// child: the linker waits for it when the distributor is done, so that its
// CPU time counts in the link's (what `time` and a build's accounting see).
//
// "Will run jobs on such a server": the distributor is the dtlto-dist
// beside this linker, dtlto-codegen is there too, the remote compiler is
// the clang it reproduces (or none, or dtlto-codegen), nothing is
// prepended, and there is no ThinLTO cache (whose hits would leave the
// server idle: with a cache the server starts when a job misses, as
// before). A link that runs no job just closes the lanes: the server, idle
// until then, ends. DTLTO_EARLY_SERVER=0 turns this off.
//
//===----------------------------------------------------------------------===//

#include "dtlto/Backend.h"
#include "dtlto/CodegenServer.h"
#include "dtlto/Scheduler.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"

#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <sys/wait.h>
#include <unistd.h>

using namespace llvm;
using namespace dtlto;

namespace {

struct Early {
  pid_t Pid = -1;
  std::vector<ServerLane> Lanes;
};

Early &early() {
  static Early E;
  return E;
}

std::atomic<pid_t> ServerPid{-1};

std::string realOrEmpty(StringRef Path) {
  SmallString<256> Real;
  if (Path.empty() || sys::fs::real_path(Path, Real))
    return "";
  return std::string(Real);
}

// The slots dtlto-dist will run with, read as it reads them.
unsigned distributorSlots(const std::vector<std::string> &Args) {
  SchedulerOptions O;
  O.Jobs = defaultLocalJobs();
  for (size_t I = 0; I < Args.size(); ++I)
    (void)parseSchedulerOption(/*Prog=*/nullptr, Args, I, O);
  return O.Jobs;
}

bool wanted(const BackendOptions &O, std::string &Codegen) {
  if (const char *E = std::getenv("DTLTO_EARLY_SERVER"); E && *E == '0')
    return false;
  if (O.Distributor.empty() || O.HasCache || O.HasPrependArgs)
    return false;
  for (const std::string &A : O.DistributorArgs)
    if (A == "--no-codegen" || A == "--no-worker" ||
        A == "--codegen-processes" || A == "--worker-processes")
      return false;
  std::string Self = sys::fs::getMainExecutable(nullptr, nullptr);
  if (Self.empty())
    return false;
  SmallString<256> Dir(sys::path::parent_path(Self)), Dist(Dir);
  sys::path::append(Dist, "dtlto-dist");
  SmallString<256> CG(Dir);
  sys::path::append(CG, "dtlto-codegen");
  std::string Named = O.Distributor;
  if (!sys::path::has_parent_path(Named)) {
    ErrorOr<std::string> Found = sys::findProgramByName(Named);
    if (!Found)
      return false;
    Named = *Found;
  }
  std::string Ours = realOrEmpty(Dist);
  if (Ours.empty() || realOrEmpty(Named) != Ours || !sys::fs::can_execute(CG))
    return false;
  std::string Compiler = realOrEmpty(O.RemoteCompiler);
  if (!O.RemoteCompiler.empty() &&
      Compiler != realOrEmpty(DTLTO_DEFAULT_REMOTE_COMPILER) &&
      Compiler != realOrEmpty(CG))
    return false;
  Codegen = std::string(CG);
  return true;
}

void closeLanes(Early &E) {
  for (ServerLane &L : E.Lanes) {
    ::close(L.To);
    ::close(L.From);
  }
  E.Lanes.clear();
}

} // namespace

void dtlto::startEarlyServer(const BackendOptions &O) {
#ifdef __linux__
  std::string Codegen;
  if (!wanted(O, Codegen))
    return;
  // Without common arguments: the job file does not exist yet. If it
  // cannot start, dtlto-dist starts its own, as without this.
  Early &E = early();
  std::string Err;
  E.Pid = startCodegenServer(Codegen, distributorSlots(O.DistributorArgs),
                             /*Threaded=*/true, {}, E.Lanes, Err);
  ServerPid = E.Pid;
#else
  (void)O;
#endif
}

bool dtlto::earlyServerArgs(std::string &Arg, std::vector<int> &Fds) {
  Early &E = early();
  if (E.Pid < 0 || E.Lanes.empty())
    return false;
  Arg = "--codegen-server-fds=" + std::to_string(E.Pid) + ":";
  for (size_t I = 0; I < E.Lanes.size(); ++I) {
    const ServerLane &L = E.Lanes[I];
    Arg += (I ? "," : "") + std::to_string(L.To) + ":" + std::to_string(L.From);
    Fds.insert(Fds.end(), {L.To, L.From});
  }
  return true;
}

void dtlto::endEarlyServer() {
  Early &E = early();
  if (E.Pid < 0)
    return;
  // The server ends when every copy of its request pipes is closed; it has
  // nothing left to write.
  closeLanes(E);
  while (::waitpid(E.Pid, nullptr, 0) < 0 && errno == EINTR) {
  }
  E.Pid = -1;
  ServerPid = -1;
}

void dtlto::stopEarlyServer(int Sig) {
  pid_t Pid = ServerPid.load();
  if (Pid > 0)
    ::kill(-Pid, Sig);
}
