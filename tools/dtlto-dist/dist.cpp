//===- dist.cpp - dtlto-dist, the parallel local DTLTO distributor --------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Runs the jobs of an upstream-schema job file on this machine, N at a time,
// longest first (cost = bytes of the module and everything it imports).
//
// When the remote compiler is the clang 22 that dtlto-codegen was built
// against, jobs go to one persistent dtlto-codegen server running N jobs at
// once on N threads, instead of a new clang process per job: the objects
// are the same bytes, without paying clang's start-up per job nor once per
// worker. (Common arguments that set process-wide LLVM state, such as
// -mllvm, make a server run one job at a time; those links get N servers.)
// A server that dies takes no job with it: its jobs run again on a new one.
//
// A job fails if it exits non-zero or by a signal, if clang reports "Error
// running ThinLTO backend" (clang 22 then exits 0 with an empty object), if
// it runs past --timeout, or if its output is missing, empty or not an
// object for the target. A failing job's stderr is printed with its
// command; its outputs are removed. Ctrl-C stops every child and removes the
// outputs of unfinished jobs.
//
// Exit status: 0 all jobs succeeded, 1 a job failed, 2 usage or job-file
// error, 128+N interrupted by signal N.
//
//===----------------------------------------------------------------------===//

#include "Jobserver.h"
#include "Report.h"

#include "dtlto/Files.h"
#include "dtlto/JobFile.h"
#include "dtlto/Judge.h"
#include "dtlto/ObjectCheck.h"
#include "dtlto/Process.h"
#include "dtlto/Protocol.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <poll.h>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace dtlto;

namespace {

const char *Prog = "dtlto-dist";

volatile sig_atomic_t Interrupted = 0;
int ChildPipe[2] = {-1, -1}; // SIGCHLD wakes poll() through this pipe.

void onSignal(int Sig) { Interrupted = Sig; }
void onChild(int) {
  int Saved = errno;
  char C = 0;
  (void)!::write(ChildPipe[1], &C, 1);
  errno = Saved;
}

struct Options {
  unsigned Jobs = std::max(1u, std::thread::hardware_concurrency());
  unsigned Retries = 0;
  double Timeout = 0; // Seconds; 0: none.
  bool UseWorker = true;
  bool WorkerProcesses = false; // One server process per job slot.
  bool Verbose = false;
  std::string JobPath, ReportPath, TracePath;
};

double now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

unsigned long long fileSize(const std::string &Path) {
  struct stat St;
  return ::stat(Path.c_str(), &St) == 0 ? St.st_size : 0;
}

// waitpid that is not cut short by SIGCHLD (installed without SA_RESTART):
// a child left unwaited would take its CPU time out of our rusage and live
// on as an orphan.
void waitChild(pid_t Pid) {
  while (::waitpid(Pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

std::string realPath(const std::string &P) {
  char Buf[PATH_MAX];
  return ::realpath(P.c_str(), Buf) ? std::string(Buf) : std::string();
}

std::string selfDir() {
  std::string Self = realPath("/proc/self/exe");
  return Self.substr(0, Self.rfind('/'));
}

/// Whether common arguments make dtlto-codegen run jobs one at a time: they
/// set LLVM options or other process-wide state (see dtlto-codegen).
bool setsProcessState(const std::vector<std::string> &Args) {
  static const char *const Prefixes[] = {
      "-mllvm",   "-mdebug-pass", "-mlimit-float-precision", "-fpass-plugin",
      "-fplugin", "-save-stats",  "-ftime-report",           "-print-stats"};
  for (const std::string &A : Args)
    for (const char *P : Prefixes)
      if (A.compare(0, std::strlen(P), P) == 0)
        return true;
  return false;
}

/// A running job: either a child process of its own, or a request on one
/// lane of a dtlto-codegen server (a server has one lane per job it runs
/// at once; all its lanes share its Pid). Each process leads a process
/// group of its own, which is what gets stopped.
struct Slot {
  pid_t Pid = -1;
  bool IsServer = false;
  int ErrFd = -1;         // Own process: its captured stderr.
  int To = -1, From = -1; // Server lane: request and reply pipes.
  std::string Reply;      // Server: reply bytes read so far.
  long Job = -1;          // -1: idle (servers only).
  double Start = 0;
  unsigned Lane = 0;
};

class Distributor {
public:
  Distributor(const JobFile &F, const Options &O)
      : F(F), O(O), Bar(F.Jobs.size()), T0(now()) {
    Triple = targetFromArgs(F.CommonArgs);
    Assembly = emitsAssembly(F.CommonArgs);
    Attempts.assign(F.Jobs.size(), 0);
  }
  int run();

private:
  void startJob(size_t I);
  void startProcess(size_t I);
  size_t startServer(unsigned Lanes);
  void sendToServer(Slot &S, size_t I, const std::string &Request);
  void finishJob(Slot &S, bool Exited0, const std::string &How,
                 const std::string &Stderr, const rusage *Usage = nullptr);
  void begin(Slot &S, size_t I);
  size_t busy() const;
  void onServerReadable(Slot &S);
  void reap();
  void stopAll();
  void removeOutputs(size_t I) {
    for (const std::string &Out : F.Jobs[I].Outputs)
      ::unlink(Out.c_str());
  }

  const JobFile &F;
  const Options &O;
  std::string Triple;
  bool Assembly = false;
  std::string Server; // dtlto-codegen path, if jobs go to servers.
  std::deque<size_t> Queue;
  std::vector<unsigned> Attempts;
  std::vector<Slot> Slots;
  size_t Failed = 0, Done = 0;
  bool Threaded = false; // Servers run several jobs at once.
  unsigned ServerDeaths = 0, ServersStarted = 0, LanesStarted = 0;
  Jobserver Tokens;
  Progress Bar;
  std::vector<JobRecord> Records;
  double T0;
};

size_t Distributor::busy() const {
  size_t N = 0;
  for (const Slot &S : Slots)
    N += S.Job >= 0;
  return N;
}

// Mark \p S as running job \p I, on the lowest lane no running job uses.
void Distributor::begin(Slot &S, size_t I) {
  S.Job = I;
  S.Start = now();
  unsigned Lane = 0;
  for (bool Taken = true; Taken; Lane += Taken) {
    Taken = false;
    for (const Slot &Other : Slots)
      Taken |= &Other != &S && Other.Job >= 0 && Other.Lane == Lane;
  }
  S.Lane = Lane;
}

void Distributor::startJob(size_t I) {
  ++Attempts[I];
  if (!Server.empty()) {
    // A job the protocol cannot carry (an empty argument) runs as its own
    // process.
    std::string Request, Why;
    if (!encodeRequest(F.Jobs[I].Args, Request, Why))
      return startProcess(I);
    // Not a server whose death was seen (its reply pipe closed) before
    // its exit was reaped: the job would be lost with it.
    size_t Live = 0;
    for (Slot &S : Slots) {
      if (!S.IsServer || S.Pid <= 0 || S.From < 0)
        continue;
      if (S.Job < 0)
        return sendToServer(S, I, Request);
      ++Live;
    }
    unsigned Lanes = Threaded && O.Jobs > Live ? O.Jobs - Live : 1;
    size_t First = startServer(Lanes);
    if (First < Slots.size())
      return sendToServer(Slots[First], I, Request);
    // No server could start: run this job as its own process.
  }
  startProcess(I);
}

void Distributor::startProcess(size_t I) {
  Slot S;
  S.ErrFd = anonymousTempFile();
  SpawnOptions Options;
  Options.Stderr = S.ErrFd;
  Options.NewProcessGroup = true;
  std::string Err;
  S.Pid = spawnProcess(F.command(I), Options, Err);
  begin(S, I);
  if (S.Pid < 0) {
    if (S.ErrFd >= 0)
      ::close(S.ErrFd);
    std::fprintf(stderr, "%s: error: job %zu (module '%s'): %s\n", Prog, I,
                 F.moduleOf(I).c_str(), Err.c_str());
    ++Failed;
    return;
  }
  Slots.push_back(S);
}

// Start a server with \p Lanes lanes; returns the index in Slots of its
// first lane, or Slots.size() if it could not start.
size_t Distributor::startServer(unsigned Lanes) {
  std::vector<int> Fds; // Per lane: request read/write, reply read/write.
  for (unsigned L = 0; L < Lanes; ++L) {
    int In[2], Out[2];
    if (::pipe2(In, O_CLOEXEC))
      break;
    if (::pipe2(Out, O_CLOEXEC)) {
      ::close(In[0]);
      ::close(In[1]);
      break;
    }
    Fds.insert(Fds.end(), {In[0], In[1], Out[0], Out[1]});
  }
  std::vector<std::string> Argv = {Server};
  SpawnOptions Options;
  Options.NewProcessGroup = true;
  if (Threaded) {
    // The server's ends, inherited under their numbers: requests read,
    // replies written. Nothing else of ours is inherited.
    std::string Spec = "--serve-fds=";
    for (size_t K = 0; K < Fds.size(); K += 4) {
      Spec += (K ? "," : "") + std::to_string(Fds[K]) + ":" +
              std::to_string(Fds[K + 3]);
      Options.Inherit.insert(Options.Inherit.end(), {Fds[K], Fds[K + 3]});
    }
    Argv.push_back(Spec);
  } else if (!Fds.empty()) {
    Options.Stdin = Fds[0];
    Options.Stdout = Fds[3];
    Argv.push_back("--serve");
  }
  Argv.insert(Argv.end(), F.CommonArgs.begin(), F.CommonArgs.end());
  std::string Err;
  pid_t Pid = Fds.empty() ? -1 : spawnProcess(Argv, Options, Err);
  size_t First = Slots.size();
  for (size_t K = 0; K < Fds.size(); K += 4) {
    ::close(Fds[K]);
    ::close(Fds[K + 3]);
    if (Pid < 0) {
      ::close(Fds[K + 1]);
      ::close(Fds[K + 2]);
      continue;
    }
    Slot S;
    S.Pid = Pid;
    S.IsServer = true;
    S.To = Fds[K + 1];
    S.From = Fds[K + 2];
    Slots.push_back(S);
  }
  if (Pid > 0) {
    ++ServersStarted;
    LanesStarted += Fds.size() / 4;
  }
  return Pid > 0 ? First : Slots.size();
}

void Distributor::sendToServer(Slot &S, size_t I, const std::string &Req) {
  begin(S, I);
  S.Reply.clear();
  // A request is small; if the server is gone, the reply pipe's EOF tells
  // (SIGPIPE is ignored, see run()).
  (void)!::write(S.To, Req.data(), Req.size());
}

void Distributor::finishJob(Slot &S, bool Exited0, const std::string &How,
                            const std::string &Stderr, const rusage *Usage) {
  size_t I = S.Job;
  S.Job = -1;
  JobRecord R;
  R.Job = I;
  R.Module = F.moduleOf(I);
  R.Start = S.Start - T0;
  R.End = now() - T0;
  R.Lane = S.Lane;
  R.Server = S.IsServer;
  if (Usage) {
    R.CPU = Usage->ru_utime.tv_sec + Usage->ru_stime.tv_sec +
            (Usage->ru_utime.tv_usec + Usage->ru_stime.tv_usec) / 1e6;
    R.MaxRSSKiB = Usage->ru_maxrss;
  }
  std::vector<JobOutput> Outputs;
  for (const std::string &Out : F.Jobs[I].Outputs)
    Outputs.push_back(readJobOutput(Out));
  std::string Why = judgeJob({Exited0, How, Stderr}, Outputs, Triple, Assembly);
  R.OK = Why.empty();
  Records.push_back(R);
  if (Why.empty()) {
    ++Done;
    Bar.update(Done, busy(), now() - T0);
    return;
  }
  Bar.finish();
  removeOutputs(I);
  if (Attempts[I] <= O.Retries && !Failed) {
    std::fprintf(stderr,
                 "%s: warning: job %zu (module '%s') failed (%s); "
                 "retrying\n",
                 Prog, I, F.moduleOf(I).c_str(), Why.c_str());
    Queue.push_front(I);
    return;
  }
  ++Failed;
  std::fprintf(stderr,
               "%s: error: job %zu (module '%s') failed: %s\n  command: %s\n",
               Prog, I, F.moduleOf(I).c_str(), Why.c_str(),
               shellCommand(F.command(I)).c_str());
  if (!Stderr.empty())
    std::fprintf(stderr, "%s%s", Stderr.c_str(),
                 Stderr.back() == '\n' ? "" : "\n");
}

void Distributor::onServerReadable(Slot &S) {
  char Buf[4096];
  ssize_t N = ::read(S.From, Buf, sizeof(Buf));
  if (N < 0 && errno == EINTR)
    return;
  if (N <= 0) {
    // The server died. Its job, if any, runs again elsewhere: a dead
    // worker is not the job's fault, so this is not counted as an attempt.
    ::close(S.From);
    ::close(S.To);
    S.From = S.To = -1;
    if (S.Job >= 0) {
      std::fprintf(stderr,
                   "%s: warning: the codegen server running job %ld (module "
                   "'%s') died; running the job again\n",
                   Prog, S.Job, F.moduleOf(S.Job).c_str());
      removeOutputs(S.Job);
      --Attempts[S.Job];
      Queue.push_front(S.Job);
      S.Job = -1;
    }
    return;
  }
  S.Reply.append(Buf, N);
  uint32_t Status;
  std::string Stderr;
  if (!decodeReply(S.Reply, Status, Stderr))
    return;
  finishJob(S, Status == 0, "failed (status " + std::to_string(Status) + ")",
            Stderr);
}

void Distributor::reap() {
  int Status;
  pid_t Pid;
  rusage Usage;
  while ((Pid = ::wait4(-1, &Status, WNOHANG, &Usage)) > 0) {
    bool WasServer = false;
    for (size_t K = 0; K < Slots.size();) {
      Slot &S = Slots[K];
      if (S.Pid != Pid) {
        ++K;
        continue;
      }
      if (S.IsServer) {
        // Every lane of a dead server: drain its last reply, then see EOF;
        // a job never answered runs again.
        WasServer = true;
        while (S.From >= 0)
          onServerReadable(S);
        if (S.Job >= 0) {
          --Attempts[S.Job];
          Queue.push_front(static_cast<size_t>(S.Job));
        }
        Slots.erase(Slots.begin() + K);
        continue;
      }
      std::string Stderr = S.ErrFd >= 0 ? readWholeFd(S.ErrFd) : "";
      if (S.ErrFd >= 0)
        ::close(S.ErrFd);
      if (S.Job >= 0) { // Not already failed by the timeout.
        bool Exited0 = WIFEXITED(Status) && WEXITSTATUS(Status) == 0;
        finishJob(S, Exited0, describeWaitStatus(Status), Stderr, &Usage);
      }
      Slots.erase(Slots.begin() + K);
      break;
    }
    if (WasServer && ++ServerDeaths > 3 && !Server.empty()) {
      std::fprintf(stderr,
                   "%s: warning: dtlto-codegen servers keep dying; running "
                   "the compiler for each job instead\n",
                   Prog);
      Server.clear();
    }
  }
}

void Distributor::stopAll() {
  for (Slot &S : Slots) {
    if (S.Pid > 0)
      ::kill(-S.Pid, SIGTERM);
    if (S.To >= 0)
      ::close(S.To);
  }
  for (Slot &S : Slots) {
    if (S.Pid > 0) {
      waitChild(S.Pid);
      ::kill(-S.Pid, SIGKILL); // What the group's leader left behind.
    }
    if (S.Job >= 0)
      removeOutputs(S.Job);
  }
}

int Distributor::run() {
  // Route to dtlto-codegen servers when the compiler is the clang they
  // embed (and nothing is prepended to it).
  std::string Codegen = selfDir() + "/dtlto-codegen";
  if (O.UseWorker && !F.CommonArgs.empty() &&
      ::access(Codegen.c_str(), X_OK) == 0 &&
      realPath(F.CommonArgs[0]) == realPath(DTLTO_CLANG) &&
      !realPath(DTLTO_CLANG).empty())
    Server = Codegen;
  Threaded =
      !Server.empty() && !O.WorkerProcesses && !setsProcessState(F.CommonArgs);

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
  Queue.assign(Order.begin(), Order.end());

  if (::pipe2(ChildPipe, O_CLOEXEC | O_NONBLOCK))
    return 2;
  struct sigaction SA;
  std::memset(&SA, 0, sizeof(SA));
  SA.sa_handler = onSignal; // No SA_RESTART: poll() must return.
  sigaction(SIGINT, &SA, nullptr);
  sigaction(SIGTERM, &SA, nullptr);
  sigaction(SIGHUP, &SA, nullptr);
  signal(SIGPIPE, SIG_IGN); // A dead server must not kill us.
  SA.sa_handler = onChild;
  SA.sa_flags = SA_NOCLDSTOP;
  sigaction(SIGCHLD, &SA, nullptr);

  // Under `make -jN`, every job beyond the first holds a jobserver token.
  Tokens.init(std::getenv("MAKEFLAGS"));
  bool WantToken = false;
  while (!Interrupted) {
    WantToken = false;
    while (!Failed && !Queue.empty() && busy() < O.Jobs) {
      if (Tokens.active() && busy() >= 1 + Tokens.held() &&
          !Tokens.tryAcquire()) {
        WantToken = true;
        break;
      }
      size_t I = Queue.front();
      Queue.pop_front();
      startJob(I);
      Bar.update(Done, busy(), now() - T0);
    }
    if (!busy())
      break;

    std::vector<pollfd> Fds = {{ChildPipe[0], POLLIN, 0}};
    if (WantToken)
      Fds.push_back({Tokens.pollFd(), POLLIN, 0});
    for (Slot &S : Slots)
      if (S.IsServer && S.From >= 0)
        Fds.push_back({S.From, POLLIN, 0});
    int Wait = -1;
    if (O.Timeout > 0) {
      double Next = 1e300;
      for (Slot &S : Slots)
        if (S.Job >= 0)
          Next = std::min(Next, S.Start + O.Timeout);
      Wait = std::max(0, int((Next - now()) * 1000) + 1);
    }
    if (::poll(Fds.data(), Fds.size(), Wait) < 0 && errno != EINTR)
      break;
    char Drain[64];
    while (::read(ChildPipe[0], Drain, sizeof(Drain)) > 0) {
    }
    for (size_t K = 1 + WantToken; K < Fds.size(); ++K)
      if (Fds[K].revents)
        for (Slot &S : Slots)
          if (S.From == Fds[K].fd) {
            onServerReadable(S);
            break;
          }
    reap();
    // Keep no more tokens than running jobs need.
    while (Tokens.held() && Tokens.held() + 1 > busy())
      Tokens.release();
    if (O.Timeout > 0)
      for (Slot &S : Slots)
        if (S.Job >= 0 && now() - S.Start > O.Timeout) {
          // Stopping a server is how a server job is cancelled; the whole
          // group, so that a real clang it started goes too.
          ::kill(-S.Pid, SIGKILL);
          long I = S.Job;
          S.Job = -1;
          removeOutputs(I);
          ++Failed;
          std::fprintf(stderr,
                       "%s: error: job %ld (module '%s') timed out after "
                       "%g s\n  command: %s\n",
                       Prog, I, F.moduleOf(I).c_str(), O.Timeout,
                       shellCommand(F.command(I)).c_str());
        }
  }

  Tokens.releaseAll();
  Bar.finish();
  if (!O.ReportPath.empty() && !writeReport(O.ReportPath, Records))
    std::fprintf(stderr, "%s: warning: cannot write the report '%s'\n", Prog,
                 O.ReportPath.c_str());
  if (!O.TracePath.empty() && !writeTrace(O.TracePath, Records))
    std::fprintf(stderr, "%s: warning: cannot write the trace '%s'\n", Prog,
                 O.TracePath.c_str());
  if (Interrupted) {
    size_t Running = busy();
    stopAll();
    std::fprintf(stderr, "%s: interrupted; %zu running job(s) stopped\n", Prog,
                 Running);
    signal(Interrupted, SIG_DFL);
    raise(Interrupted);
    return 128 + Interrupted;
  }
  // Idle servers end when their request pipe closes.
  for (Slot &S : Slots)
    if (S.To >= 0)
      ::close(S.To);
  for (Slot &S : Slots)
    waitChild(S.Pid);
  if (O.Verbose)
    std::fprintf(stderr,
                 "%s: %zu of %zu job(s) done, %u dtlto-codegen server(s) "
                 "started (%u lane(s))\n",
                 Prog, Done, F.Jobs.size(), ServersStarted, LanesStarted);
  if (Failed) {
    std::fprintf(stderr, "%s: error: %zu of %zu job(s) failed\n", Prog, Failed,
                 F.Jobs.size());
    return 1;
  }
  return 0;
}

void usage() {
  std::fprintf(
      stderr,
      "usage: %s [options] <job-file.json>\n"
      "Runs the backend jobs of a DTLTO job file in parallel on this "
      "machine.\n"
      "  -j N, --jobs=N     run N jobs at once (default: available cores)\n"
      "  --retries=N        run a failing job up to N more times (default 0)\n"
      "  --timeout=SECONDS  fail a job that runs longer (default: none)\n"
      "  --no-worker        always start the compiler itself, never "
      "dtlto-codegen\n"
      "  --worker-processes one dtlto-codegen process per job slot (default: "
      "one\n"
      "                     process running N jobs on threads)\n"
      "  --report=FILE      write per-job start/end/CPU/max RSS as JSON\n"
      "  --allow-path-escape  write outputs outside the linker output's "
      "directory\n"
      "  --trace=FILE       write a Chrome trace of the jobs\n"
      "  -v, --verbose      print a summary line at the end\n"
      "Under `make -jN` (MAKEFLAGS with a jobserver) each job beyond the "
      "first takes a\njobserver token.\n",
      Prog);
}

bool parseNumber(const std::string &V, double Max, double &Out) {
  char *End;
  errno = 0;
  Out = std::strtod(V.c_str(), &End);
  return !V.empty() && !*End && !errno && Out >= 0 && Out <= Max;
}

} // namespace

int main(int Argc, char **Argv) {
  std::vector<std::string> Args(Argv + 1, Argv + Argc);
  if (Args.empty()) {
    usage();
    return 2;
  }
  Options O;
  bool AllowEscape = false;
  // The job file is always the last argument (the DTLTO contract).
  O.JobPath = Args.back();
  Args.pop_back();
  for (size_t I = 0; I < Args.size(); ++I) {
    std::string A = Args[I], V;
    double N;
    auto Value = [&](const char *Prefix) {
      size_t L = std::strlen(Prefix);
      if (A.compare(0, L, Prefix) != 0)
        return false;
      V = A.substr(L);
      return true;
    };
    if (A == "-h" || A == "--help") {
      usage();
      return 0;
    }
    if (A == "-v" || A == "--verbose") {
      O.Verbose = true;
      continue;
    }
    if (Value("--report=")) {
      O.ReportPath = V;
      continue;
    }
    if (Value("--trace=")) {
      O.TracePath = V;
      continue;
    }
    if (A == "--no-worker") {
      O.UseWorker = false;
      continue;
    }
    if (A == "--worker-processes") {
      O.WorkerProcesses = true;
      continue;
    }
    if (A == "--allow-path-escape") {
      AllowEscape = true;
      continue;
    }
    if ((A == "-j" && I + 1 < Args.size() && (V = Args[++I], true)) ||
        Value("--jobs=") || Value("-j")) {
      if (!parseNumber(V, 4096, N) || N < 1 || N != unsigned(N)) {
        std::fprintf(stderr, "%s: error: invalid job count '%s'\n", Prog,
                     V.c_str());
        return 2;
      }
      O.Jobs = N;
      continue;
    }
    if (Value("--retries=")) {
      if (!parseNumber(V, 100, N) || N != unsigned(N)) {
        std::fprintf(stderr, "%s: error: invalid retry count '%s'\n", Prog,
                     V.c_str());
        return 2;
      }
      O.Retries = N;
      continue;
    }
    if (Value("--timeout=")) {
      if (!parseNumber(V, 1e6, N) || N <= 0) {
        std::fprintf(stderr, "%s: error: invalid timeout '%s'\n", Prog,
                     V.c_str());
        return 2;
      }
      O.Timeout = N;
      continue;
    }
    std::fprintf(stderr, "%s: error: unknown option '%s'\n", Prog, A.c_str());
    usage();
    return 2;
  }

  JobFile F;
  std::string Err;
  if (!readJobFile(O.JobPath, F, Err) ||
      (!AllowEscape && !checkOutputPaths(F, Err))) {
    std::fprintf(stderr, "%s: error: %s\n", Prog, Err.c_str());
    return 2;
  }
  return Distributor(F, O).run();
}
