//===- codegen.cpp - dtlto-codegen, a persistent ThinLTO backend worker ---===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Most of a DTLTO backend job's CPU time is starting clang: mapping libLLVM
// and libclang-cpp, relocations, static initialisers. This worker pays that
// once. It runs clang 22's own code in-process: the driver turns the job's
// command line into the cc1 command exactly as clang would, and cc1 runs
// from there, so the object is the one clang 22 writes.
//
//   dtlto-codegen <clang arguments...>
//     one job, like `clang-22 <arguments...>` (usable as
//     --thinlto-remote-compiler with any distributor);
//   dtlto-codegen --print-compiler
//     the clang whose output this worker reproduces byte for byte;
//   dtlto-codegen --serve <common arguments...>
//     many jobs, one at a time: each request on stdin is the job's own
//     arguments, NUL terminated, ended by an empty one; each reply on stdout
//     is a 4-byte little-endian status (0 = success), a 4-byte length and
//     the job's output (stdout and stderr);
//   dtlto-codegen --serve-fds=R:W[,R:W...] <common arguments...>
//     the same protocol on each pair of inherited descriptors (requests on
//     R, replies on W), each pair served by a thread of its own, so one
//     process runs that many jobs at once: the process start-up, the pages
//     of code it faults in and its warm caches are paid once, as with
//     in-process ThinLTO's threads. Without common arguments, the first
//     request on each lane is them (a server started before the job file
//     was written: our linker's, handed to dtlto-dist).
//
// Every job of one server shares the common arguments. The few settings
// that live in process-wide state (-mllvm and other LLVM options, pass
// plugins, statistics, timers) make a job run alone, with LLVM's options
// reset first as in a new process; all other jobs run concurrently.
//
// A command that is not a single cc1 compile (a link, -###, ...) is run by
// the real clang instead.
//
//===----------------------------------------------------------------------===//

#include "dtlto/Files.h"
#include "dtlto/Process.h"
#include "dtlto/Protocol.h"

#include "OptionState.h"
#include "Templates.h"
#include "ThinBackendJob.h"

#include "clang/Basic/Diagnostic.h"
#include "clang/Basic/DiagnosticIDs.h"
#include "clang/Basic/DiagnosticOptions.h"
#include "clang/Driver/Compilation.h"
#include "clang/Driver/Driver.h"
#include "clang/Driver/Job.h"
#include "clang/Driver/Tool.h"
#include "clang/Frontend/CompilerInstance.h"
#include "clang/Frontend/CompilerInvocation.h"
#include "clang/Frontend/TextDiagnosticBuffer.h"
#include "clang/Frontend/TextDiagnosticPrinter.h"
#include "clang/FrontendTool/Utils.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Signals.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/thread.h"
#include "llvm/TargetParser/Host.h"

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <malloc.h>
#include <mutex>
#include <optional>
#include <string>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace llvm;
using namespace clang;

// The clang whose behaviour we reproduce; its path also gives the resource
// directory the driver passes to cc1.
static const char *ClangPath = DTLTO_CLANG;

// --- Output capture --------------------------------------------------------
//
// Jobs running on threads of one process share file descriptors, so a job's
// messages cannot be separated by redirecting fds 1 and 2. Clang and LLVM
// print through raw_fd_ostream, which calls write(2); this definition
// precedes libc's for every library of the process and sends what a job's
// thread writes to fds 1 and 2 into that job's buffer. main() checks that it
// is in effect before serving. Once the process is crashing (LLVM's signal
// handler runs, maybe inside malloc), nothing is captured any more: the
// crash report goes straight to stderr, and the handler allocates nothing.

static thread_local std::string *Captured = nullptr;
static std::atomic<bool> Crashing{false};

extern "C" ssize_t write(int Fd, const void *Buf, size_t N) {
  if (Captured && (Fd == 1 || Fd == 2) &&
      !Crashing.load(std::memory_order_relaxed)) {
    Captured->append(static_cast<const char *>(Buf), N);
    return static_cast<ssize_t>(N);
  }
  return syscall(SYS_write, Fd, Buf, N);
}

static bool captureWorks() {
  std::string Probe;
  Captured = &Probe;
  errs() << "dtlto-codegen: output capture probe\n";
  Captured = nullptr;
  return Probe == "dtlto-codegen: output capture probe\n";
}

static int runRealClang(const std::vector<std::string> &Args) {
  std::vector<std::string> Argv = {ClangPath};
  Argv.insert(Argv.end(), Args.begin() + 1, Args.end());
  // Under capture, the child's output goes to a file added to the job's.
  dtlto::SpawnOptions Options;
  if (Captured) {
    if ((Options.Stdout = Options.Stderr = dtlto::anonymousTempFile()) < 0)
      return 1;
  }
  std::string Err;
  pid_t Pid = dtlto::spawnProcess(Argv, Options, Err);
  int Status = 0;
  bool Waited = false;
  if (Pid > 0)
    while (!(Waited = waitpid(Pid, &Status, 0) == Pid) && errno == EINTR) {
    }
  else
    errs() << "dtlto-codegen: error: " << Err << "\n";
  if (Options.Stdout >= 0) {
    Captured->append(dtlto::readWholeFd(Options.Stdout));
    close(Options.Stdout);
  }
  if (!Waited)
    return 1;
  return WIFEXITED(Status) ? WEXITSTATUS(Status) : 1;
}

// --- Process-wide option state ---------------------------------------------
//
// A job whose cc1 invocation sets process-wide state runs alone
// (OptionState.h).

static bool usesProcessState(const CompilerInvocation &Inv) {
  const FrontendOptions &FE = Inv.getFrontendOpts();
  const CodeGenOptions &CG = Inv.getCodeGenOpts();
  return !FE.LLVMArgs.empty() || !FE.Plugins.empty() || FE.ShowStats ||
         !FE.StatsFile.empty() || !CG.DebugPass.empty() ||
         !CG.LimitFloatPrecision.empty() || !CG.PassPlugins.empty() ||
         CG.TimePasses;
}

static bool execute(CompilerInstance &Clang,
                    const std::vector<std::string> &Args) {
  bool Alone =
      usesProcessState(Clang.getInvocation()) || dtlto::setsProcessState(Args);
  return dtlto::runWithOptionState(
      Alone, [&] { return ExecuteCompilerInvocation(&Clang); });
}

static dtlto::CC1Templates Templates;

/// The cc1 arguments for a job given as a clang command line, from the
/// driver (\p Args[0] is ignored); false, with the job's exit status in
/// \p Status, if the driver failed or the job is not a single cc1 compile
/// (then the real clang has run it).
static bool driverCC1(const std::vector<std::string> &Args,
                      const dtlto::JobPaths *Job, std::vector<std::string> &CC1,
                      int &Status) {
  std::vector<const char *> Argv = {ClangPath};
  for (size_t I = 1; I < Args.size(); ++I)
    Argv.push_back(Args[I].c_str());

  size_t Printed = Captured ? Captured->size() : 0;
  DiagnosticOptions DriverDiagOpts;
  auto *DriverClient = new TextDiagnosticPrinter(errs(), DriverDiagOpts);
  // Driver messages start with the compiler's name, as clang's do.
  DriverClient->setPrefix(sys::path::filename(Args[0]).str());
  DiagnosticsEngine DriverDiags(new DiagnosticIDs(), DriverDiagOpts,
                                DriverClient);
  clang::driver::Driver TheDriver(ClangPath, sys::getDefaultTargetTriple(),
                                  DriverDiags);
  std::unique_ptr<clang::driver::Compilation> C(
      TheDriver.BuildCompilation(Argv));
  if (!C || C->containsError() || DriverDiags.hasErrorOccurred()) {
    Status = 1;
    return false;
  }
  const clang::driver::JobList &Jobs = C->getJobs();
  if (Jobs.size() != 1 ||
      StringRef(Jobs.begin()->getCreator().getName()) != "clang" ||
      Jobs.begin()->getArguments().empty() ||
      StringRef(Jobs.begin()->getArguments()[0]) != "-cc1") {
    Status = runRealClang(Args);
    return false;
  }
  // The cc1 arguments, less -disable-free: a long-lived process must free
  // each job's memory (it does not change what is generated).
  for (const char *A : drop_begin(Jobs.begin()->getArguments()))
    if (StringRef(A) != "-disable-free")
      CC1.push_back(A);
  // A template must not drop anything the driver prints.
  if (Job && Captured && Captured->size() == Printed &&
      !DriverDiags.getNumWarnings())
    Templates.record(*Job, CC1);
  return true;
}

/// Compile one job given as a clang command line (Args[0] is ignored);
/// \p Job: its paths, if it has DTLTO's form and runs in a server.
static int compile(const std::vector<std::string> &Args,
                   const dtlto::JobPaths *Job = nullptr) {
  std::vector<std::string> CC1;
  std::optional<std::vector<std::string>> Reused;
  if (Job)
    Reused = Templates.lookup(*Job);
  if (Reused) {
    CC1 = std::move(*Reused);
  } else {
    int Status;
    if (!driverCC1(Args, Job, CC1, Status))
      return Status;
  }
  std::vector<const char *> CC1Argv;
  for (const std::string &A : CC1)
    CC1Argv.push_back(A.c_str());

  auto Clang = std::make_unique<CompilerInstance>();
  DiagnosticOptions DiagOpts;
  TextDiagnosticBuffer *Buffer = new TextDiagnosticBuffer;
  DiagnosticsEngine Diags(new DiagnosticIDs(), DiagOpts, Buffer);
  bool OK = CompilerInvocation::CreateFromArgs(Clang->getInvocation(), CC1Argv,
                                               Diags, ClangPath);
  Clang->createDiagnostics();
  if (!Clang->hasDiagnostics())
    return 1;
  Buffer->FlushDiagnostics(Clang->getDiagnostics());
  if (!OK)
    return 1;
  return execute(*Clang, Args) ? 0 : 1;
}

// --- Server mode ---------------------------------------------------------

/// Read one request (Protocol.h) from \p Fd into \p Args; \p Pending
/// keeps bytes read past it. False at the end of input.
static bool readRequest(int Fd, std::string &Pending,
                        std::vector<std::string> &Args) {
  while (!dtlto::decodeRequest(Pending, Args)) {
    char Buf[4096];
    ssize_t N = read(Fd, Buf, sizeof(Buf));
    if (N < 0 && errno == EINTR)
      continue;
    if (N <= 0)
      return false;
    Pending.append(Buf, N);
  }
  return true;
}

static bool writeAll(int Fd, const std::string &Data) {
  const char *B = Data.data();
  size_t N = Data.size();
  while (N) {
    ssize_t W = write(Fd, B, N);
    if (W < 0 && errno == EINTR)
      continue;
    if (W <= 0)
      return false;
    B += W;
    N -= W;
  }
  return true;
}

/// Serve requests on \p In, replies on \p Out, until \p In ends. With no
/// \p Common arguments, the first request is them.
static void serveLane(std::vector<std::string> Common, int In, int Out) {
  std::string Pending;
  std::vector<std::string> JobArgs;
  if (Common.empty() && !readRequest(In, Pending, Common))
    Common.clear(); // The lane ended before it was used.
  while (!Common.empty() && readRequest(In, Pending, JobArgs)) {
    std::vector<std::string> Args = Common;
    Args.insert(Args.end(), JobArgs.begin(), JobArgs.end());
    std::optional<dtlto::JobPaths> Paths = dtlto::dtltoJobPaths(JobArgs);
    std::string Text;
    Captured = &Text;
    uint32_t Status = dtlto::isThinBackendJob(Args)
                          ? dtlto::runThinBackendJob(Args)
                          : compile(Args, Paths ? &*Paths : nullptr);
    Captured = nullptr;
    if (!writeAll(Out, dtlto::encodeReply(Status, Text)))
      break;
  }
  close(In);
  close(Out);
}

/// Parse "R:W[,R:W...]" into descriptor pairs; false if malformed.
static bool parseLanes(StringRef Spec, std::vector<std::pair<int, int>> &Out) {
  for (StringRef Pair : split(Spec, ',')) {
    auto [R, W] = Pair.split(':');
    int RFd, WFd;
    if (R.getAsInteger(10, RFd) || W.getAsInteger(10, WFd) || RFd < 0 ||
        WFd < 0 || fcntl(RFd, F_GETFD) < 0 || fcntl(WFd, F_GETFD) < 0)
      return false;
    Out.push_back({RFd, WFd});
  }
  return !Out.empty();
}

static int serve(const std::vector<std::string> &Common,
                 std::vector<std::pair<int, int>> Lanes) {
  // Jobs allocate and free hundreds of MiB each. Keep freed memory for the
  // next job instead of returning it to the system and faulting it in
  // again: no trimming, large padding when an arena grows (each grow of a
  // thread's arena is an mprotect), and blocks up to 32 MiB from the arenas
  // rather than from mmap/munmap of their own.
  mallopt(M_TRIM_THRESHOLD, 1 << 30);
  mallopt(M_TOP_PAD, 64 << 20);
  mallopt(M_MMAP_THRESHOLD, 32 << 20);
  if (Common.empty() && Lanes.empty()) {
    std::fprintf(stderr, "usage: dtlto-codegen --serve[-fds=R:W,...] "
                         "<compiler> <common arguments...>\n");
    return 2;
  }
  if (!captureWorks()) {
    std::fprintf(stderr, "dtlto-codegen: error: cannot capture the output "
                         "of jobs (write(2) is not interposed)\n");
    return 1;
  }
  if (Lanes.empty()) {
    // The protocol on stdin/stdout: move it to descriptors of its own, so
    // nothing printed outside a job's capture can corrupt it.
    int In = fcntl(0, F_DUPFD_CLOEXEC, 3), Out = fcntl(1, F_DUPFD_CLOEXEC, 3);
    int Null = open("/dev/null", O_RDONLY);
    if (In < 0 || Out < 0 || Null < 0 || dup2(Null, 0) < 0 || dup2(2, 1) < 0) {
      std::perror("dtlto-codegen: cannot set up server mode");
      return 1;
    }
    close(Null);
    Lanes.push_back({In, Out});
  }
  // A real clang run for a job must not hold any lane open: the client
  // sees a lane's end when the server is gone, not when its orphans are.
  for (auto [In, Out] : Lanes)
    for (int Fd : {In, Out})
      fcntl(Fd, F_SETFD, fcntl(Fd, F_GETFD) | FD_CLOEXEC);
  // Clang's main thread has 8 MiB of stack; so does each lane.
  std::vector<llvm::thread> Threads;
  for (size_t I = 1; I < Lanes.size(); ++I)
    Threads.emplace_back(std::optional<unsigned>(8u << 20), [&, I] {
      serveLane(Common, Lanes[I].first, Lanes[I].second);
    });
  serveLane(Common, Lanes[0].first, Lanes[0].second);
  for (llvm::thread &T : Threads)
    T.join();
  // Every reply is written; tearing down LLVM's and clang's globals (option
  // tables, registries) would only cost time.
  std::fflush(nullptr);
  _exit(0);
}

int main(int Argc, const char **Argv) {
  // Before InitLLVM's stack-trace printer, so that it runs first.
  sys::AddSignalHandler([](void *) { Crashing = true; }, nullptr);
  InitLLVM X(Argc, Argv);
  InitializeAllTargets();
  InitializeAllTargetMCs();
  InitializeAllAsmPrinters();
  InitializeAllAsmParsers();

  std::vector<std::string> Args(Argv, Argv + Argc);
  if (Args.size() == 2 && Args[1] == "--print-compiler") {
    // Distributors route a job here only if its compiler is this one.
    std::printf("%s\n", ClangPath);
    return 0;
  }
  if (Args.size() >= 2 && Args[1] == "--serve")
    return serve({Args.begin() + 2, Args.end()}, {});
  if (Args.size() >= 2 && StringRef(Args[1]).starts_with("--serve-fds=")) {
    std::vector<std::pair<int, int>> Lanes;
    if (!parseLanes(StringRef(Args[1]).drop_front(12), Lanes)) {
      std::fprintf(stderr,
                   "dtlto-codegen: error: invalid '%s': expected "
                   "R:W[,R:W...] naming open descriptors\n",
                   Args[1].c_str());
      return 2;
    }
    return serve({Args.begin() + 2, Args.end()}, Lanes);
  }
  if (dtlto::isThinBackendJob(Args))
    return dtlto::runThinBackendJob(Args);
  return compile(Args);
}
