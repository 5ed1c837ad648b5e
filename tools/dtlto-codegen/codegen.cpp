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
//     many jobs: each request on stdin is the job's own arguments, NUL
//     terminated, ended by an empty one; each reply on stdout is a 4-byte
//     little-endian status (0 = success), a 4-byte length and the job's
//     stderr. Every job of one server shares the common arguments, so
//     process-wide option state (-mllvm) is the same for all of them.
//
// A command that is not a single cc1 compile (a link, -###, ...) is run by
// the real clang instead.
//
//===----------------------------------------------------------------------===//

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
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/TargetParser/Host.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

using namespace llvm;
using namespace clang;

// The clang whose behaviour we reproduce; its path also gives the resource
// directory the driver passes to cc1.
static const char *ClangPath = DTLTO_CLANG;

static int runRealClang(const std::vector<std::string> &Args) {
  std::vector<char *> Argv;
  std::string Clang = ClangPath;
  Argv.push_back(Clang.data());
  for (size_t I = 1; I < Args.size(); ++I)
    Argv.push_back(const_cast<char *>(Args[I].c_str()));
  Argv.push_back(nullptr);
  pid_t Pid = fork();
  if (Pid == 0) {
    execv(ClangPath, Argv.data());
    std::fprintf(stderr, "dtlto-codegen: cannot run '%s': %s\n", ClangPath,
                 std::strerror(errno));
    _exit(127);
  }
  int Status = 0;
  if (Pid < 0 || waitpid(Pid, &Status, 0) < 0)
    return 1;
  return WIFEXITED(Status) ? WEXITSTATUS(Status) : 1;
}

/// Compile one job given as a clang command line (Args[0] is ignored).
static int compile(const std::vector<std::string> &Args) {
  std::vector<const char *> Argv = {ClangPath};
  for (size_t I = 1; I < Args.size(); ++I)
    Argv.push_back(Args[I].c_str());

  DiagnosticOptions DriverDiagOpts;
  auto *DriverClient = new TextDiagnosticPrinter(errs(), DriverDiagOpts);
  DiagnosticsEngine DriverDiags(new DiagnosticIDs(), DriverDiagOpts,
                                DriverClient);
  clang::driver::Driver TheDriver(ClangPath, sys::getDefaultTargetTriple(),
                                  DriverDiags);
  std::unique_ptr<clang::driver::Compilation> C(
      TheDriver.BuildCompilation(Argv));
  if (!C || C->containsError())
    return 1;
  const clang::driver::JobList &Jobs = C->getJobs();
  if (Jobs.size() != 1 ||
      StringRef(Jobs.begin()->getCreator().getName()) != "clang" ||
      Jobs.begin()->getArguments().empty() ||
      StringRef(Jobs.begin()->getArguments()[0]) != "-cc1")
    return runRealClang(Args);

  // The cc1 arguments, less -disable-free: a long-lived process must free
  // each job's memory (it does not change what is generated).
  std::vector<const char *> CC1;
  for (const char *A : drop_begin(Jobs.begin()->getArguments()))
    if (StringRef(A) != "-disable-free")
      CC1.push_back(A);

  // Each job starts with no recorded option occurrences, as in a new process.
  cl::ResetAllOptionOccurrences();
  auto Clang = std::make_unique<CompilerInstance>();
  DiagnosticOptions DiagOpts;
  TextDiagnosticBuffer *Buffer = new TextDiagnosticBuffer;
  DiagnosticsEngine Diags(new DiagnosticIDs(), DiagOpts, Buffer);
  bool OK = CompilerInvocation::CreateFromArgs(Clang->getInvocation(), CC1,
                                               Diags, ClangPath);
  Clang->createDiagnostics();
  if (!Clang->hasDiagnostics())
    return 1;
  Buffer->FlushDiagnostics(Clang->getDiagnostics());
  if (!OK)
    return 1;
  OK = ExecuteCompilerInvocation(Clang.get());
  return OK ? 0 : 1;
}

// --- Server mode ---------------------------------------------------------

static bool readRequest(FILE *In, std::vector<std::string> &Args) {
  Args.clear();
  std::string Cur;
  int C;
  while ((C = std::fgetc(In)) != EOF) {
    if (C != 0) {
      Cur += static_cast<char>(C);
      continue;
    }
    if (Cur.empty())
      return true; // End of request.
    Args.push_back(std::move(Cur));
    Cur.clear();
  }
  return false;
}

static bool writeAll(int Fd, const void *P, size_t N) {
  const char *B = static_cast<const char *>(P);
  while (N) {
    ssize_t W = ::write(Fd, B, N);
    if (W < 0 && errno == EINTR)
      continue;
    if (W <= 0)
      return false;
    B += W;
    N -= W;
  }
  return true;
}

static int serve(const std::vector<std::string> &Common) {
  // Replies go to the original stdout; during a job, fds 1 and 2 both go to
  // a capture file, so nothing a job prints can corrupt the protocol.
  int Reply = dup(1);
  char Templ[] = "/tmp/dtlto-codegen-XXXXXX";
  int Capture = mkstemp(Templ);
  if (Reply < 0 || Capture < 0) {
    std::perror("dtlto-codegen: cannot set up server mode");
    return 1;
  }
  unlink(Templ);
  int SavedErr = dup(2);

  std::vector<std::string> JobArgs;
  while (readRequest(stdin, JobArgs)) {
    std::vector<std::string> Args = Common;
    Args.insert(Args.end(), JobArgs.begin(), JobArgs.end());

    ftruncate(Capture, 0);
    lseek(Capture, 0, SEEK_SET);
    std::fflush(stdout);
    errs().flush();
    dup2(Capture, 1);
    dup2(Capture, 2);
    uint32_t Status = compile(Args);
    std::fflush(stdout);
    std::fflush(stderr);
    errs().flush();
    outs().flush();
    dup2(SavedErr, 2);
    dup2(SavedErr, 1);

    off_t Size = lseek(Capture, 0, SEEK_END);
    std::string Text(Size > 0 ? Size : 0, '\0');
    if (Size > 0)
      pread(Capture, Text.data(), Size, 0);
    uint32_t Len = Text.size();
    unsigned char Header[8];
    for (int I = 0; I < 4; ++I) {
      Header[I] = (Status >> (8 * I)) & 0xff;
      Header[4 + I] = (Len >> (8 * I)) & 0xff;
    }
    if (!writeAll(Reply, Header, 8) || !writeAll(Reply, Text.data(), Len))
      return 1;
  }
  return 0;
}

int main(int Argc, const char **Argv) {
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
  if (Args.size() >= 2 && Args[1] == "--serve") {
    // Common arguments follow; the first of them names the compiler.
    std::vector<std::string> Common(Args.begin() + 2, Args.end());
    if (Common.empty()) {
      std::fprintf(stderr, "usage: dtlto-codegen --serve <compiler> "
                           "<common arguments...>\n");
      return 2;
    }
    return serve(Common);
  }
  return compile(Args);
}
