//===- dist.cpp - dtlto-dist, the parallel local DTLTO distributor --------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Runs the jobs of an upstream-schema job file on this machine, N at a time,
// longest first (cost = bytes of the module and everything it imports). A job
// fails if it exits non-zero or by a signal, if clang reports "Error running
// ThinLTO backend" (clang 22 then exits 0 with an empty object), or if its
// output is missing, empty or not an object for the target. A failing job's
// stderr is printed with its command; its outputs are removed. Ctrl-C stops
// every child and removes the outputs of unfinished jobs.
//
// Exit status: 0 all jobs succeeded, 1 a job failed, 2 usage or job-file
// error, 130/143 interrupted.
//
//===----------------------------------------------------------------------===//

#include "dtlto/JobFile.h"
#include "dtlto/ObjectCheck.h"
#include "dtlto/Spawn.h"

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace dtlto;

static volatile sig_atomic_t Interrupted = 0;
static void onSignal(int Sig) { Interrupted = Sig; }

static const char *Prog = "dtlto-dist";

static void usage() {
  std::fprintf(stderr,
               "usage: %s [-j N] [other args ignored] <job-file.json>\n"
               "Runs the backend jobs of a DTLTO job file in parallel on "
               "this machine.\n",
               Prog);
}

static unsigned long long fileSize(const std::string &Path) {
  struct stat St;
  return ::stat(Path.c_str(), &St) == 0 ? St.st_size : 0;
}

namespace {
struct Running {
  size_t Job;
  int ErrFd;
};
} // namespace

static std::string readAll(int Fd) {
  std::string Out;
  ::lseek(Fd, 0, SEEK_SET);
  char Buf[4096];
  ssize_t N;
  while ((N = ::read(Fd, Buf, sizeof(Buf))) > 0)
    Out.append(Buf, N);
  return Out;
}

static int tempFd() {
  const char *Dir = std::getenv("TMPDIR");
  std::string Templ =
      std::string(Dir && *Dir ? Dir : "/tmp") + "/dtlto-dist-XXXXXX";
  int Fd = ::mkstemp(Templ.data());
  if (Fd >= 0)
    ::unlink(Templ.c_str());
  return Fd;
}

static void removeOutputs(const Job &J) {
  for (const std::string &O : J.Outputs)
    ::unlink(O.c_str());
}

int main(int Argc, char **Argv) {
  unsigned Jobs = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::string> Args(Argv + 1, Argv + Argc);
  if (Args.empty()) {
    usage();
    return 2;
  }
  // The job file is always the last argument (the DTLTO contract).
  std::string JobPath = Args.back();
  Args.pop_back();
  for (size_t I = 0; I < Args.size(); ++I) {
    std::string A = Args[I], V;
    if (A == "-j" && I + 1 < Args.size())
      V = Args[++I];
    else if (A.rfind("--jobs=", 0) == 0)
      V = A.substr(7);
    else if (A.rfind("-j", 0) == 0 && A.size() > 2)
      V = A.substr(2);
    else if (A == "-h" || A == "--help") {
      usage();
      return 0;
    } else {
      std::fprintf(stderr, "%s: error: unknown option '%s'\n", Prog, A.c_str());
      usage();
      return 2;
    }
    char *End;
    unsigned long N = std::strtoul(V.c_str(), &End, 10);
    if (V.empty() || *End || N == 0 || N > 4096) {
      std::fprintf(stderr, "%s: error: invalid job count '%s'\n", Prog,
                   V.c_str());
      return 2;
    }
    Jobs = N;
  }

  JobFile F;
  std::string Err;
  if (!readJobFile(JobPath, F, Err)) {
    std::fprintf(stderr, "%s: error: %s\n", Prog, Err.c_str());
    return 2;
  }
  std::string Triple = targetFromArgs(F.CommonArgs);

  // Longest first: a big module started last would stretch the tail.
  std::vector<size_t> Order(F.Jobs.size());
  std::vector<unsigned long long> Cost(F.Jobs.size());
  for (size_t I = 0; I < F.Jobs.size(); ++I) {
    Order[I] = I;
    for (const std::string &In : F.Jobs[I].Inputs)
      Cost[I] += fileSize(In);
  }
  std::sort(Order.begin(), Order.end(), [&](size_t A, size_t B) {
    return Cost[A] != Cost[B] ? Cost[A] > Cost[B] : A < B;
  });

  struct sigaction SA;
  std::memset(&SA, 0, sizeof(SA));
  SA.sa_handler = onSignal; // No SA_RESTART: waitpid must see EINTR.
  sigaction(SIGINT, &SA, nullptr);
  sigaction(SIGTERM, &SA, nullptr);
  sigaction(SIGHUP, &SA, nullptr);

  std::map<pid_t, Running> Live;
  size_t Next = 0, Failed = 0;
  while (!Interrupted && (Live.size() || (Next < Order.size() && !Failed))) {
    while (!Failed && Next < Order.size() && Live.size() < Jobs) {
      size_t I = Order[Next++];
      int Fd = tempFd();
      pid_t Pid = spawnProcess(F.command(I), Fd, Err);
      if (Pid < 0) {
        std::fprintf(stderr, "%s: error: job %zu (module '%s'): %s\n", Prog, I,
                     F.moduleOf(I).c_str(), Err.c_str());
        if (Fd >= 0)
          ::close(Fd);
        ++Failed;
        break;
      }
      Live[Pid] = {I, Fd};
    }
    if (Live.empty())
      break;
    int Status;
    pid_t Pid = ::waitpid(-1, &Status, 0);
    if (Pid < 0)
      continue; // EINTR: the loop condition sees the signal.
    auto It = Live.find(Pid);
    if (It == Live.end())
      continue;
    Running R = It->second;
    Live.erase(It);
    std::string Stderr = R.ErrFd >= 0 ? readAll(R.ErrFd) : "";
    if (R.ErrFd >= 0)
      ::close(R.ErrFd);

    std::string Why;
    if (!WIFEXITED(Status) || WEXITSTATUS(Status) != 0)
      Why = "the compiler " + describeWaitStatus(Status);
    else if (Stderr.find("Error running ThinLTO backend") != std::string::npos)
      Why = "the compiler reported 'Error running ThinLTO backend' (and "
            "exited 0)";
    else
      for (const std::string &O : F.Jobs[R.Job].Outputs) {
        std::string ObjWhy;
        if (!checkNativeObjectFile(O, Triple, ObjWhy)) {
          Why = "invalid output '" + O + "': " + ObjWhy;
          break;
        }
      }
    if (Why.empty())
      continue;
    ++Failed;
    removeOutputs(F.Jobs[R.Job]);
    std::fprintf(stderr,
                 "%s: error: job %zu (module '%s') failed: %s\n  command: %s\n",
                 Prog, R.Job, F.moduleOf(R.Job).c_str(), Why.c_str(),
                 shellCommand(F.command(R.Job)).c_str());
    if (!Stderr.empty())
      std::fprintf(stderr, "%s%s", Stderr.c_str(),
                   Stderr.back() == '\n' ? "" : "\n");
  }

  if (Interrupted) {
    for (auto &[Pid, R] : Live)
      ::kill(Pid, SIGTERM);
    for (auto &[Pid, R] : Live) {
      ::waitpid(Pid, nullptr, 0);
      removeOutputs(F.Jobs[R.Job]);
    }
    std::fprintf(stderr, "%s: interrupted; %zu running job(s) stopped\n", Prog,
                 Live.size());
    signal(Interrupted, SIG_DFL);
    raise(Interrupted);
    return 128 + Interrupted;
  }
  if (Failed) {
    std::fprintf(stderr, "%s: error: %zu of %zu job(s) failed\n", Prog, Failed,
                 F.Jobs.size());
    return 1;
  }
  return 0;
}
