//===- Process.cpp - Starting, stopping and describing child processes ----===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dtlto/Process.h"

#include <cctype>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <spawn.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

using namespace dtlto;

pid_t dtlto::spawnProcess(const std::vector<std::string> &Argv,
                          const SpawnOptions &Options, std::string &Err) {
  if (Argv.empty() || Argv[0].empty()) {
    Err = "cannot run an empty command";
    return -1;
  }
  std::vector<char *> CArgv;
  for (const std::string &A : Argv)
    CArgv.push_back(const_cast<char *>(A.c_str()));
  CArgv.push_back(nullptr);

  posix_spawn_file_actions_t FA;
  posix_spawn_file_actions_init(&FA);
  const int Std[] = {Options.Stdin, Options.Stdout, Options.Stderr};
  for (int Target = 0; Target < 3; ++Target)
    if (Std[Target] >= 0)
      posix_spawn_file_actions_adddup2(&FA, Std[Target], Target);
  // dup2 onto itself clears close-on-exec in the child only (POSIX 2018).
  for (int Fd : Options.Inherit)
    posix_spawn_file_actions_adddup2(&FA, Fd, Fd);
  if (!Options.Dir.empty())
    posix_spawn_file_actions_addchdir_np(&FA, Options.Dir.c_str());
  std::vector<char *> Env;
  for (const std::string &E : Options.Environment)
    Env.push_back(const_cast<char *>(E.c_str()));
  Env.push_back(nullptr);

  posix_spawnattr_t Attr;
  posix_spawnattr_init(&Attr);
  sigset_t Empty, All;
  sigemptyset(&Empty);
  sigfillset(&All);
  posix_spawnattr_setsigmask(&Attr, &Empty);
  posix_spawnattr_setsigdefault(&Attr, &All);
  short Flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (Options.NewProcessGroup) {
    posix_spawnattr_setpgroup(&Attr, 0);
    Flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&Attr, Flags);

  pid_t Pid;
  int RC = posix_spawnp(&Pid, CArgv[0], &FA, &Attr, CArgv.data(),
                        Options.ReplaceEnvironment ? Env.data() : environ);
  posix_spawn_file_actions_destroy(&FA);
  posix_spawnattr_destroy(&Attr);
  if (RC != 0) {
    Err = "cannot run '" + Argv[0] + "': " + std::strerror(RC);
    return -1;
  }
  return Pid;
}

static void sleepMs(long Ms) {
  timespec T{Ms / 1000, (Ms % 1000) * 1000000};
  while (nanosleep(&T, &T) != 0 && errno == EINTR) {
  }
}

int dtlto::stopProcessGroup(pid_t Pid, int Sig, long GraceMs) {
  int Saved = errno;
  kill(-Pid, Sig);
  int Status = 0;
  for (long Waited = 0;; Waited += 10) {
    // Reaped here, or by another thread already (ECHILD).
    pid_t R = waitpid(Pid, &Status, WNOHANG);
    if (R == Pid || (R < 0 && errno == ECHILD))
      break;
    if (Waited >= GraceMs) {
      kill(-Pid, SIGKILL);
      while (waitpid(Pid, &Status, 0) < 0 && errno == EINTR) {
      }
      break;
    }
    sleepMs(10);
  }
  kill(-Pid, SIGKILL); // Whatever of the group outlived its leader.
  errno = Saved;
  return Status;
}

std::string dtlto::describeWaitStatus(int Status) {
  if (WIFEXITED(Status))
    return "exited with status " + std::to_string(WEXITSTATUS(Status));
  if (WIFSIGNALED(Status)) {
    int Sig = WTERMSIG(Status);
    const char *Name = strsignal(Sig);
    return "killed by signal " + std::to_string(Sig) + " (" +
           (Name ? Name : "unknown") + ")";
  }
  return "ended with wait status " + std::to_string(Status);
}

std::string dtlto::shellCommand(const std::vector<std::string> &Argv) {
  std::string Out;
  for (const std::string &A : Argv) {
    if (!Out.empty())
      Out += ' ';
    bool Plain = !A.empty();
    for (char C : A)
      Plain &= isalnum(static_cast<unsigned char>(C)) ||
               std::strchr("-_./=+,:@%", C) != nullptr;
    if (Plain) {
      Out += A;
      continue;
    }
    Out += '\'';
    for (char C : A) {
      if (C == '\'')
        Out += "'\\''";
      else
        Out += C;
    }
    Out += '\'';
  }
  return Out;
}
