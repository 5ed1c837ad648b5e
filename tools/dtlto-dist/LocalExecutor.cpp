//===- LocalExecutor.cpp - dtlto-dist's jobs on this machine --------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// An attempt runs either as a process of its own (the job's command, its
// stderr captured in an unnamed file) or on one lane of a dtlto-codegen
// server (Protocol.h). Every process leads a process group of its own,
// which is what gets stopped. One poll() waits for all of it: the lanes'
// reply pipes, a self-pipe written on SIGCHLD, and the scheduler's fds. A
// server that dies loses the attempts on its lanes (they run again); after
// repeated deaths, every job runs as a process.
//
//===----------------------------------------------------------------------===//

#include "LocalExecutor.h"

#include "dtlto/CodegenServer.h"
#include "dtlto/Files.h"
#include "dtlto/Process.h"
#include "dtlto/Protocol.h"

#include <cerrno>
#include <climits>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

using namespace dtlto;

namespace {

int ChildPipe[2] = {-1, -1}; // SIGCHLD wakes poll() through this pipe.

void onChild(int) {
  int Saved = errno;
  char C = 0;
  (void)!::write(ChildPipe[1], &C, 1);
  errno = Saved;
}

// waitpid that is not cut short by SIGCHLD (installed without SA_RESTART):
// a child left unwaited would take its CPU time out of our rusage and live
// on as an orphan.
void waitChild(pid_t Pid) {
  while (::waitpid(Pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

/// A process of ours: a job's own process, or one lane of a server (a
/// server has one entry per lane; they share its Pid).
struct Runner {
  pid_t Pid = -1;
  bool IsLane = false;
  int ErrFd = -1;         // Own process: its captured stderr.
  int To = -1, From = -1; // Lane: request and reply pipes.
  std::string Reply;      // Lane: reply bytes read so far.
  long Job = -1;          // -1: none (an idle lane, or a cancelled job).
};

class LocalExecutor : public Executor {
public:
  LocalExecutor(const JobFile &F, const LocalOptions &O) : F(F), O(O) {
    struct sigaction SA;
    std::memset(&SA, 0, sizeof(SA));
    SA.sa_handler = onChild; // No SA_RESTART: poll() must return.
    SA.sa_flags = SA_NOCLDSTOP;
    if (::pipe2(ChildPipe, O_CLOEXEC | O_NONBLOCK) == 0)
      sigaction(SIGCHLD, &SA, nullptr);
    signal(SIGPIPE, SIG_IGN); // A dead server must not kill us.
    Server = O.Server;
    adopt();
  }

  bool start(size_t I, std::string &Why) override;
  void wait(int TimeoutMs, const std::vector<int> &WakeFds,
            std::vector<AttemptResult> &Ended) override;
  void cancel(size_t I) override;
  void discard(size_t I) override;
  void stopAll() override;
  void finish() override;
  std::string summary() const override;

private:
  void adopt();
  bool startProcess(size_t I, std::string &Why);
  size_t startServer(unsigned Lanes);
  void onLaneReadable(Runner &R, std::vector<AttemptResult> &Ended);
  void reap(std::vector<AttemptResult> &Ended);
  void lose(Runner &R, std::vector<AttemptResult> &Ended);

  const JobFile &F;
  const LocalOptions &O;
  std::string Server; // Cleared once servers keep dying.
  std::vector<Runner> Runners;
  unsigned ServerDeaths = 0, ServersStarted = 0, LanesStarted = 0;
  unsigned LanesAdopted = 0;
};

// The linker's server: its lanes join ours once each has the common
// arguments. It is not our child: its death shows as its lanes' end.
void LocalExecutor::adopt() {
  std::string Common, Why;
  bool Usable =
      !Server.empty() && O.Threaded && encodeRequest(F.CommonArgs, Common, Why);
  for (auto [To, From] : O.AdoptedLanes) {
    if (!Usable ||
        ::write(To, Common.data(), Common.size()) != ssize_t(Common.size())) {
      ::close(To); // Unused, the server ends.
      ::close(From);
      continue;
    }
    Runner R;
    R.Pid = O.AdoptedPid;
    R.IsLane = true;
    R.To = To;
    R.From = From;
    Runners.push_back(R);
    ++LanesAdopted;
  }
}

bool LocalExecutor::start(size_t I, std::string &Why) {
  // A job the protocol cannot carry (an empty argument) runs as a process.
  std::string Request, NoRequest;
  if (Server.empty() || !encodeRequest(F.Jobs[I].Args, Request, NoRequest))
    return startProcess(I, Why);
  // Not a server whose death was seen (its reply pipe closed) before its
  // exit was reaped: the attempt would be lost with it.
  size_t Live = 0, Idle = Runners.size();
  for (size_t K = 0; K < Runners.size(); ++K) {
    const Runner &R = Runners[K];
    if (!R.IsLane || R.Pid <= 0 || R.From < 0)
      continue;
    if (R.Job < 0 && Idle == Runners.size())
      Idle = K;
    ++Live;
  }
  if (Idle == Runners.size()) {
    unsigned Lanes = O.Threaded && O.Slots > Live ? O.Slots - Live : 1;
    Idle = startServer(Lanes);
    if (Idle == Runners.size()) // No server could start.
      return startProcess(I, Why);
  }
  Runner &R = Runners[Idle];
  R.Job = I;
  R.Reply.clear();
  // A request is small; if the server is gone, the reply pipe's EOF tells
  // (SIGPIPE is ignored).
  (void)!::write(R.To, Request.data(), Request.size());
  return true;
}

bool LocalExecutor::startProcess(size_t I, std::string &Why) {
  Runner R;
  R.ErrFd = anonymousTempFile();
  SpawnOptions Spawn;
  Spawn.Stderr = R.ErrFd;
  Spawn.NewProcessGroup = true;
  R.Pid = spawnProcess(F.command(I), Spawn, Why);
  if (R.Pid < 0) {
    if (R.ErrFd >= 0)
      ::close(R.ErrFd);
    return false;
  }
  R.Job = I;
  Runners.push_back(R);
  return true;
}

// Start a server with \p Lanes lanes; returns the index in Runners of its
// first lane, or Runners.size() if it could not start.
size_t LocalExecutor::startServer(unsigned Lanes) {
  std::vector<ServerLane> New;
  std::string Err;
  pid_t Pid =
      startCodegenServer(Server, Lanes, O.Threaded, F.CommonArgs, New, Err);
  size_t First = Runners.size();
  if (Pid < 0)
    return First;
  for (const ServerLane &L : New) {
    Runner R;
    R.Pid = Pid;
    R.IsLane = true;
    R.To = L.To;
    R.From = L.From;
    Runners.push_back(R);
  }
  ++ServersStarted;
  LanesStarted += New.size();
  return First;
}

void LocalExecutor::lose(Runner &R, std::vector<AttemptResult> &Ended) {
  if (R.Job < 0)
    return;
  std::fprintf(stderr,
               "%s: warning: the codegen server running job %ld (module '%s') "
               "died; running the job again\n",
               O.Prog, R.Job, F.moduleOf(R.Job).c_str());
  AttemptResult A;
  A.Job = R.Job;
  A.Lost = true;
  Ended.push_back(A);
  R.Job = -1;
}

void LocalExecutor::onLaneReadable(Runner &R,
                                   std::vector<AttemptResult> &Ended) {
  char Buf[4096];
  ssize_t N = ::read(R.From, Buf, sizeof(Buf));
  if (N < 0 && errno == EINTR)
    return;
  if (N <= 0) { // The server is gone.
    ::close(R.From);
    ::close(R.To);
    R.From = R.To = -1;
    lose(R, Ended);
    return;
  }
  R.Reply.append(Buf, N);
  uint32_t Status;
  AttemptResult A;
  if (!decodeReply(R.Reply, Status, A.End.Output))
    return;
  long Job = R.Job;
  R.Job = -1;
  if (Job < 0) // Cancelled.
    return;
  A.Job = Job;
  A.End.Succeeded = Status == 0;
  A.End.How = "failed (status " + std::to_string(Status) + ")";
  A.Server = true;
  Ended.push_back(A);
}

void LocalExecutor::reap(std::vector<AttemptResult> &Ended) {
  int Status;
  pid_t Pid;
  rusage Usage;
  while ((Pid = ::wait4(-1, &Status, WNOHANG, &Usage)) > 0) {
    bool WasServer = false;
    for (size_t K = 0; K < Runners.size();) {
      Runner &R = Runners[K];
      if (R.Pid != Pid) {
        ++K;
        continue;
      }
      if (R.IsLane) {
        // Every lane of a dead server: take its last reply, then its end.
        WasServer = true;
        while (R.From >= 0)
          onLaneReadable(R, Ended);
        lose(R, Ended);
        Runners.erase(Runners.begin() + K);
        continue;
      }
      std::string Stderr = R.ErrFd >= 0 ? readWholeFd(R.ErrFd) : "";
      if (R.ErrFd >= 0)
        ::close(R.ErrFd);
      if (R.Job >= 0) { // Not cancelled.
        AttemptResult A;
        A.Job = R.Job;
        A.End = {WIFEXITED(Status) && WEXITSTATUS(Status) == 0,
                 describeWaitStatus(Status), Stderr};
        A.CPU = Usage.ru_utime.tv_sec + Usage.ru_stime.tv_sec +
                (Usage.ru_utime.tv_usec + Usage.ru_stime.tv_usec) / 1e6;
        A.MaxRSSKiB = Usage.ru_maxrss;
        Ended.push_back(A);
      }
      Runners.erase(Runners.begin() + K);
      break;
    }
    if (WasServer && ++ServerDeaths > 3 && !Server.empty()) {
      std::fprintf(stderr,
                   "%s: warning: dtlto-codegen servers keep dying; running "
                   "the compiler for each job instead\n",
                   O.Prog);
      Server.clear();
    }
  }
}

void LocalExecutor::wait(int TimeoutMs, const std::vector<int> &WakeFds,
                         std::vector<AttemptResult> &Ended) {
  std::vector<pollfd> Fds = {{ChildPipe[0], POLLIN, 0}};
  for (int Fd : WakeFds)
    Fds.push_back({Fd, POLLIN, 0});
  size_t FirstLane = Fds.size();
  for (Runner &R : Runners)
    if (R.IsLane && R.From >= 0)
      Fds.push_back({R.From, POLLIN, 0});
  if (::poll(Fds.data(), Fds.size(), TimeoutMs) < 0 && errno != EINTR)
    return;
  char Drain[64];
  while (::read(ChildPipe[0], Drain, sizeof(Drain)) > 0) {
  }
  for (size_t K = FirstLane; K < Fds.size(); ++K)
    if (Fds[K].revents)
      for (Runner &R : Runners)
        if (R.From == Fds[K].fd) {
          onLaneReadable(R, Ended);
          break;
        }
  reap(Ended);
}

void LocalExecutor::cancel(size_t I) {
  for (Runner &R : Runners)
    if (R.Job == long(I)) {
      // Stopping a server is how one of its jobs is stopped; the whole
      // group, so that a real clang it started goes too. Its other lanes'
      // jobs run again.
      ::kill(-R.Pid, SIGKILL);
      R.Job = -1;
    }
}

void LocalExecutor::discard(size_t I) {
  for (const std::string &Out : F.Jobs[I].Outputs)
    ::unlink(Out.c_str());
}

void LocalExecutor::stopAll() {
  for (Runner &R : Runners) {
    if (R.Pid > 0)
      ::kill(-R.Pid, SIGTERM);
    if (R.To >= 0)
      ::close(R.To);
  }
  for (Runner &R : Runners)
    if (R.Pid > 0) {
      waitChild(R.Pid);
      ::kill(-R.Pid, SIGKILL); // What the group's leader left behind.
    }
}

void LocalExecutor::finish() {
  // Idle servers end when their request pipe closes.
  for (Runner &R : Runners)
    if (R.To >= 0)
      ::close(R.To);
  for (Runner &R : Runners)
    waitChild(R.Pid);
}

std::string LocalExecutor::summary() const {
  std::string S = ", " + std::to_string(ServersStarted) +
                  " dtlto-codegen server(s) started (" +
                  std::to_string(LanesStarted) + " lane(s))";
  if (LanesAdopted)
    S += ", the linker's server adopted (" + std::to_string(LanesAdopted) +
         " lane(s))";
  return S;
}

} // namespace

bool dtlto::parseAdoptedServer(const std::string &Spec, LocalOptions &O) {
  auto Number = [](const std::string &S, long &N) {
    char *End = nullptr;
    errno = 0;
    N = std::strtol(S.c_str(), &End, 10);
    return !S.empty() && !*End && errno == 0 && N >= 0 && N <= INT32_MAX;
  };
  size_t Colon = Spec.find(':');
  long Pid;
  if (Colon == std::string::npos || !Number(Spec.substr(0, Colon), Pid) ||
      Pid <= 1)
    return false;
  std::vector<std::pair<int, int>> Lanes;
  size_t I = Colon + 1;
  while (I <= Spec.size()) {
    size_t End = Spec.find(',', I);
    std::string Pair = Spec.substr(I, End == std::string::npos ? End : End - I);
    size_t C = Pair.find(':');
    long To, From;
    if (C == std::string::npos || !Number(Pair.substr(0, C), To) ||
        !Number(Pair.substr(C + 1), From) || To < 3 || From < 3 ||
        ::fcntl(int(To), F_GETFD) < 0 || ::fcntl(int(From), F_GETFD) < 0)
      return false;
    Lanes.push_back({int(To), int(From)});
    if (End == std::string::npos)
      break;
    I = End + 1;
  }
  // Ours from now on, for no child of ours to inherit.
  for (auto [To, From] : Lanes)
    for (int Fd : {To, From})
      ::fcntl(Fd, F_SETFD, ::fcntl(Fd, F_GETFD) | FD_CLOEXEC);
  O.AdoptedPid = pid_t(Pid);
  O.AdoptedLanes = std::move(Lanes);
  return true;
}

std::unique_ptr<Executor> dtlto::createLocalExecutor(const JobFile &F,
                                                     const LocalOptions &O) {
  return std::make_unique<LocalExecutor>(F, O);
}
