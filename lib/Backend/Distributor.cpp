//===- Distributor.cpp - Run the distributor process ----------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The distributor contract (llvm/docs/DTLTO.rst): argv is the distributor,
// its arguments and the job file last; it inherits our working directory,
// environment and standard streams, and returns non-zero on failure. The
// messages keep LLVM 22's "distributor execution failed" prefix, which
// upstream tests match, and add which failure it was.
//
// Unlike LLVM 22, the distributor leads a process group of its own, so that
// the whole of it (a script and its compilers, say) can be stopped: after
// the optional timeout, and when the linker gets SIGINT, SIGTERM or SIGHUP.
// Then the group gets the signal, the linker waits briefly for it to go,
// and the linker's previous handler (LLVM's, which removes temporary files)
// runs. A terminal's Ctrl-C reaches only the linker's group; it is
// forwarded the same way.
//
//===----------------------------------------------------------------------===//

#include "Distributor.h"

#include "dtlto/Backend.h"
#include "dtlto/Process.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TimeProfiler.h"

#include <atomic>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstring>
#include <sys/wait.h>
#include <thread>
#include <time.h>
#include <unistd.h>

using namespace llvm;
using namespace dtlto;

static Error failure(const Twine &Msg) {
  return createStringError(inconvertibleErrorCode(),
                           "DTLTO backend compilation: distributor execution "
                           "failed: " +
                               Msg);
}

namespace {

const int ForwardedSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
// The distributor's pid while it runs; Starting while it is being spawned
// (a signal then is kept in Pending for the spawning thread to act on).
constexpr pid_t Starting = -1;
std::atomic<pid_t> Running{0};
std::atomic<int> Pending{0};
std::atomic<bool> Interrupted{false};
struct sigaction Previous[NSIG];

void sleepMs(long Ms) {
  timespec T{Ms / 1000, (Ms % 1000) * 1000000};
  while (nanosleep(&T, &T) != 0 && errno == EINTR) {
  }
}

void onSignal(int Sig, siginfo_t *Info, void *Ctx) {
  Interrupted = true;
  pid_t Pid = Running.exchange(0);
  if (Pid == Starting) {
    // The spawning thread stops the distributor once it has its pid.
    Pending = Sig;
    return;
  }
  if (Pid > 0)
    stopProcessGroup(Pid, Sig, 2000);
  stopEarlyServer(SIGKILL);
  // Then what was there before us: LLVM's handler removes the temporary
  // files and re-raises.
  struct sigaction &P = Previous[Sig];
  sigaction(Sig, &P, nullptr);
  if (P.sa_flags & SA_SIGINFO) {
    if (P.sa_sigaction)
      P.sa_sigaction(Sig, Info, Ctx);
  } else if (P.sa_handler == SIG_DFL) {
    raise(Sig);
  } else if (P.sa_handler != SIG_IGN) {
    P.sa_handler(Sig);
  }
}

/// Our handlers for the distributor's lifetime, installed before it is
/// spawned so that no signal to the linker can miss it.
struct ForwardSignals {
  ForwardSignals() {
    Running = Starting;
    struct sigaction A = {};
    A.sa_sigaction = onSignal;
    A.sa_flags = SA_SIGINFO;
    sigemptyset(&A.sa_mask);
    for (int S : ForwardedSignals) {
      // An ignored signal (nohup, lit's workers) stays ignored.
      Installed[S] = sigaction(S, nullptr, &Previous[S]) == 0 &&
                     Previous[S].sa_handler != SIG_IGN &&
                     sigaction(S, &A, nullptr) == 0;
    }
  }
  /// The distributor runs as \p Pid (-1: it could not be started). A
  /// signal that came while it was being spawned is acted on now.
  void started(pid_t Pid) {
    if (Running.exchange(Pid) == Starting)
      return;
    Running = 0; // onSignal took the Starting state: a signal is pending.
    int Sig = Pending.exchange(0);
    if (Pid > 0)
      stopProcessGroup(Pid, Sig, 2000);
    stopEarlyServer(SIGKILL);
    sigaction(Sig, &Previous[Sig], nullptr);
    raise(Sig);
  }
  ~ForwardSignals() {
    Running = 0;
    for (int S : ForwardedSignals)
      if (Installed[S])
        sigaction(S, &Previous[S], nullptr);
  }
  bool Installed[NSIG] = {};
};

} // namespace

Error dtlto::runDistributor(const std::string &Distributor,
                            const std::vector<std::string> &Args,
                            const std::string &JobFile, unsigned Timeout) {
  llvm::TimeTraceScope Scope("Execute DTLTO distributor", Distributor);
  std::string Program = Distributor;
  if (!sys::path::has_parent_path(Distributor)) {
    ErrorOr<std::string> Found = sys::findProgramByName(Distributor);
    if (!Found)
      return failure("cannot find distributor '" + Distributor + "' in PATH.");
    Program = *Found;
  }
  if (!sys::fs::exists(Program))
    return failure("cannot run distributor '" + Distributor +
                   "': " + std::strerror(ENOENT) + ".");
  if (!sys::fs::can_execute(Program))
    return failure("cannot run distributor '" + Distributor +
                   "': " + std::strerror(EACCES) + ".");

  std::vector<std::string> Argv = {Program};
  Argv.insert(Argv.end(), Args.begin(), Args.end());
  // The codegen server our linker started (EarlyServer.cpp) goes to the
  // distributor; our ends of it close when the distributor is done.
  SpawnOptions Group;
  Group.NewProcessGroup = true;
  std::string ServerArg;
  if (earlyServerArgs(ServerArg, Group.Inherit))
    Argv.push_back(ServerArg);
  // A distributor that failed may have left it mid-job: stop it first.
  bool Succeeded = false;
  scope_exit CloseServer([&] {
    if (!Succeeded)
      stopEarlyServer(SIGKILL);
    endEarlyServer();
  });
  Argv.push_back(JobFile);
  int Status = 0;
  bool TimedOut = false;
  pid_t Pid;
  {
    ForwardSignals Forward;
    std::string Err;
    Pid = spawnProcess(Argv, Group, Err);
    Forward.started(Pid);
    if (Pid < 0)
      return failure("cannot run distributor '" + Distributor +
                     "': " + StringRef(Err).rsplit(": ").second + ".");
    auto Deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(Timeout);
    for (;;) {
      pid_t R = waitpid(Pid, &Status, Timeout ? WNOHANG : 0);
      if (R == Pid)
        break;
      if (R < 0 && errno != EINTR)
        return failure("cannot wait for distributor '" + Distributor +
                       "': " + std::strerror(errno) + ".");
      if (R == 0 && std::chrono::steady_clock::now() >= Deadline) {
        Running = 0;
        Status = stopProcessGroup(Pid, SIGTERM, 2000);
        stopEarlyServer(SIGKILL);
        TimedOut = true;
        break;
      }
      if (R == 0)
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }
  // Nothing the distributor started may outlive it.
  kill(-Pid, SIGKILL);
  // The linker was interrupted, maybe on another thread, and may have seen
  // the distributor die first: the signal handler ends the process.
  for (int I = 0; Interrupted && I < 500; ++I)
    sleepMs(10);

  if (TimedOut)
    return failure("distributor '" + Distributor + "' did not finish within " +
                   Twine(Timeout) + " s; its process group was stopped.");
  if (WIFSIGNALED(Status)) {
    const char *Name = strsignal(WTERMSIG(Status));
    return failure("distributor '" + Distributor +
                   "' was killed by a signal: " + (Name ? Name : "unknown") +
                   ".");
  }
  Succeeded = WEXITSTATUS(Status) == 0;
  if (!Succeeded)
    return failure("distributor '" + Distributor + "' exited with status " +
                   Twine(WEXITSTATUS(Status)) + ".");
  return Error::success();
}
