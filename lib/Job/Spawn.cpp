//===- Spawn.cpp - Start and reap job processes ---------------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dtlto/Spawn.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

using namespace dtlto;

pid_t dtlto::spawnProcess(const std::vector<std::string> &Argv, int StderrFd,
                          std::string &Err, bool NewProcessGroup) {
  if (Argv.empty() || Argv[0].empty()) {
    Err = "empty command";
    return -1;
  }
  std::vector<char *> CArgv;
  for (const std::string &A : Argv)
    CArgv.push_back(const_cast<char *>(A.c_str()));
  CArgv.push_back(nullptr);

  posix_spawn_file_actions_t FA;
  posix_spawn_file_actions_init(&FA);
  if (StderrFd >= 0)
    posix_spawn_file_actions_adddup2(&FA, StderrFd, 2);
  // Children start with default signal dispositions and an empty mask.
  posix_spawnattr_t Attr;
  posix_spawnattr_init(&Attr);
  sigset_t Empty, All;
  sigemptyset(&Empty);
  sigfillset(&All);
  posix_spawnattr_setsigmask(&Attr, &Empty);
  posix_spawnattr_setsigdefault(&Attr, &All);
  short Flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF;
  if (NewProcessGroup) {
    posix_spawnattr_setpgroup(&Attr, 0);
    Flags |= POSIX_SPAWN_SETPGROUP;
  }
  posix_spawnattr_setflags(&Attr, Flags);

  pid_t Pid;
  int RC = posix_spawnp(&Pid, CArgv[0], &FA, &Attr, CArgv.data(), environ);
  posix_spawn_file_actions_destroy(&FA);
  posix_spawnattr_destroy(&Attr);
  if (RC != 0) {
    Err = "cannot run '" + Argv[0] + "': " + std::strerror(RC);
    return -1;
  }
  return Pid;
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

bool dtlto::readFile(const std::string &Path, std::string &Out) {
  std::ifstream In(Path, std::ios::binary);
  if (!In)
    return false;
  std::stringstream SS;
  SS << In.rdbuf();
  Out = SS.str();
  return true;
}

int dtlto::anonymousTempFile() {
  const char *Dir = std::getenv("TMPDIR");
  std::string Templ = std::string(Dir && *Dir ? Dir : "/tmp") + "/dtlto-XXXXXX";
  int Fd = ::mkstemp(Templ.data());
  if (Fd >= 0)
    ::unlink(Templ.c_str());
  return Fd;
}

std::string dtlto::readWholeFd(int Fd) {
  std::string Out;
  char Buf[4096];
  ssize_t N;
  while ((N = ::pread(Fd, Buf, sizeof(Buf), Out.size())) > 0)
    Out.append(Buf, N);
  return Out;
}
