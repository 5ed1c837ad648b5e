//===- Scheduler.cpp - Running a job file's jobs through an executor ------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dtlto/Scheduler.h"
#include "dtlto/Jobserver.h"
#include "dtlto/ObjectCheck.h"
#include "dtlto/Process.h"
#include "dtlto/Report.h"

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

using namespace dtlto;

Executor::~Executor() = default;

namespace {

volatile sig_atomic_t Interrupted = 0;
int WakePipe[2] = {-1, -1}; // A signal wakes the executor's wait here.

void onSignal(int Sig) {
  Interrupted = Sig;
  int Saved = errno;
  char C = 0;
  (void)!::write(WakePipe[1], &C, 1);
  errno = Saved;
}

double now() {
  using namespace std::chrono;
  return duration<double>(steady_clock::now().time_since_epoch()).count();
}

unsigned long long fileSize(const std::string &Path) {
  struct stat St;
  return ::stat(Path.c_str(), &St) == 0 ? St.st_size : 0;
}

struct Attempt {
  double Start;
  unsigned Slot;
};

class Run {
public:
  Run(const char *Prog, const JobFile &F, Executor &E,
      const SchedulerOptions &O)
      : Prog(Prog), F(F), E(E), O(O), Triple(F.target()),
        Assembly(F.emitsAssembly()), Attempts(F.Jobs.size(), 0),
        Bar(F.Jobs.size()), T0(now()) {}
  int run();

private:
  void fillSlots(bool &WantToken);
  void startAttempt(size_t I);
  void ended(AttemptResult &R);
  void stopOverdue();
  int nextDeadlineMs() const;
  void fail(size_t I, const std::string &Why, const std::string &Output);

  const char *Prog;
  const JobFile &F;
  Executor &E;
  const SchedulerOptions &O;
  std::string Triple;
  bool Assembly;
  std::deque<size_t> Queue;
  std::vector<unsigned> Attempts;
  std::map<size_t, Attempt> Running;
  size_t Failed = 0, Done = 0;
  Jobserver Tokens;
  Progress Bar;
  std::vector<JobRecord> Records;
  double T0;
};

void Run::startAttempt(size_t I) {
  ++Attempts[I];
  unsigned Slot = 0;
  for (bool Taken = true; Taken; Slot += Taken) {
    Taken = false;
    for (const auto &[Job, A] : Running)
      Taken |= A.Slot == Slot;
  }
  std::string Why;
  if (!E.start(I, Why)) {
    std::fprintf(stderr, "%s: error: job %zu (module '%s'): %s\n", Prog, I,
                 F.moduleOf(I).c_str(), Why.c_str());
    ++Failed;
    return;
  }
  Running[I] = {now(), Slot};
}

void Run::fillSlots(bool &WantToken) {
  WantToken = false;
  while (!Failed && !Queue.empty() && Running.size() < O.Jobs) {
    // Under `make -jN`, every job beyond the first holds a token.
    if (Tokens.active() && Running.size() >= 1 + Tokens.held() &&
        !Tokens.tryAcquire()) {
      WantToken = true;
      return;
    }
    size_t I = Queue.front();
    Queue.pop_front();
    startAttempt(I);
    Bar.update(Done, Running.size(), now() - T0);
  }
}

void Run::fail(size_t I, const std::string &Why, const std::string &Output) {
  ++Failed;
  Bar.finish();
  std::fprintf(stderr,
               "%s: error: job %zu (module '%s') failed: %s\n  command: %s\n",
               Prog, I, F.moduleOf(I).c_str(), Why.c_str(),
               shellCommand(F.command(I)).c_str());
  if (!Output.empty())
    std::fprintf(stderr, "%s%s", Output.c_str(),
                 Output.back() == '\n' ? "" : "\n");
}

void Run::ended(AttemptResult &R) {
  size_t I = R.Job;
  auto It = Running.find(I);
  if (It == Running.end())
    return; // Cancelled already.
  Attempt A = It->second;
  Running.erase(It);
  if (R.Lost) {
    // Not the job's fault: it runs again, and this was no attempt.
    E.discard(I);
    --Attempts[I];
    Queue.push_front(I);
    return;
  }
  if (!R.HasOutputs)
    for (const std::string &Out : F.Jobs[I].Outputs)
      R.Outputs.push_back(readJobOutput(Out));
  std::string Why = judgeJob(R.End, R.Outputs, Triple, Assembly);
  bool Kept = Why.empty() && E.keep(I, Why);

  JobRecord Rec;
  Rec.Job = I;
  Rec.Module = F.moduleOf(I);
  Rec.Start = A.Start - T0;
  Rec.End = now() - T0;
  Rec.CPU = R.CPU;
  Rec.MaxRSSKiB = R.MaxRSSKiB;
  Rec.Slot = A.Slot;
  Rec.Server = R.Server;
  Rec.OK = Why.empty();
  Rec.Extra = R.ReportExtra;
  Records.push_back(Rec);

  if (Kept) {
    ++Done;
    Bar.update(Done, Running.size(), now() - T0);
    return;
  }
  E.discard(I);
  if (Attempts[I] <= O.Retries && !Failed) {
    Bar.finish();
    std::fprintf(stderr,
                 "%s: warning: job %zu (module '%s') failed (%s); retrying\n",
                 Prog, I, F.moduleOf(I).c_str(), Why.c_str());
    Queue.push_front(I);
    return;
  }
  fail(I, Why, R.End.Output);
}

void Run::stopOverdue() {
  if (O.Timeout <= 0)
    return;
  double T = now();
  for (auto It = Running.begin(); It != Running.end();) {
    size_t I = It->first;
    if (T - It->second.Start <= O.Timeout) {
      ++It;
      continue;
    }
    E.cancel(I);
    E.discard(I);
    It = Running.erase(It);
    ++Failed;
    Bar.finish();
    std::fprintf(stderr,
                 "%s: error: job %zu (module '%s') timed out after %g s\n"
                 "  command: %s\n",
                 Prog, I, F.moduleOf(I).c_str(), O.Timeout,
                 shellCommand(F.command(I)).c_str());
  }
}

int Run::nextDeadlineMs() const {
  if (O.Timeout <= 0 || Running.empty())
    return -1;
  double Next = 1e300;
  for (const auto &[Job, A] : Running)
    Next = std::min(Next, A.Start + O.Timeout);
  return std::max(0, int((Next - now()) * 1000) + 1);
}

int Run::run() {
  // Longest first: a big module started last would stretch the tail. The
  // cost of a job is the bytes of its module and everything it imports.
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

  if (::pipe2(WakePipe, O_CLOEXEC | O_NONBLOCK))
    return 2;
  struct sigaction SA;
  std::memset(&SA, 0, sizeof(SA));
  SA.sa_handler = onSignal; // No SA_RESTART: a wait must return.
  for (int Sig : {SIGINT, SIGTERM, SIGHUP})
    sigaction(Sig, &SA, nullptr);
  if (O.UseJobserver)
    Tokens.init(std::getenv("MAKEFLAGS"));

  std::vector<AttemptResult> Ended;
  while (!Interrupted) {
    bool WantToken;
    fillSlots(WantToken);
    if (Running.empty())
      break;
    Ended.clear();
    int Fds[2] = {WakePipe[0], WantToken ? Tokens.pollFd() : -1};
    E.wait(nextDeadlineMs(), std::vector<int>(Fds, Fds + 1 + WantToken), Ended);
    char Drain[64];
    while (::read(WakePipe[0], Drain, sizeof(Drain)) > 0) {
    }
    for (AttemptResult &R : Ended)
      ended(R);
    stopOverdue();
    // Keep no more tokens than the running jobs need.
    while (Tokens.held() && Tokens.held() + 1 > Running.size())
      Tokens.release();
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
    int Sig = Interrupted;
    E.stopAll();
    for (const auto &[Job, A] : Running)
      E.discard(Job);
    std::fprintf(stderr, "%s: interrupted; %zu running job(s) stopped\n", Prog,
                 Running.size());
    signal(Sig, SIG_DFL);
    raise(Sig);
    return 128 + Sig;
  }
  E.finish();
  if (O.Verbose)
    std::fprintf(stderr, "%s: %zu of %zu job(s) done%s\n", Prog, Done,
                 F.Jobs.size(), E.summary().c_str());
  if (Failed) {
    std::fprintf(stderr, "%s: error: %zu of %zu job(s) failed\n", Prog, Failed,
                 F.Jobs.size());
    return 1;
  }
  return 0;
}

} // namespace

int dtlto::runJobs(const char *Prog, const JobFile &F, Executor &E,
                   const SchedulerOptions &O) {
  return Run(Prog, F, E, O).run();
}
