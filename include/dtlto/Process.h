//===- Process.h - Starting and stopping child processes --------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The one way dtlto starts a child process (the linker its distributor, the
// distributors their jobs and codegen servers, a codegen server a real
// clang): posix_spawn, which is safe in a multi-threaded process (no code of
// ours runs between fork and exec), with default signal dispositions and an
// empty signal mask in the child, only the descriptors asked for inherited
// (every other descriptor we open is close-on-exec), and optionally a
// process group of its own, so that stopping it stops everything it started.
// LLVM-free.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_PROCESS_H
#define DTLTO_PROCESS_H

#include <string>
#include <sys/types.h>
#include <vector>

namespace dtlto {

struct SpawnOptions {
  /// Descriptors for the child's stdin, stdout and stderr (-1: inherit ours).
  int Stdin = -1, Stdout = -1, Stderr = -1;
  /// Further descriptors the child inherits under the same numbers (they
  /// may be close-on-exec here).
  std::vector<int> Inherit;
  /// The child leads a process group of its own.
  bool NewProcessGroup = false;
  /// The child's working directory ("": ours).
  std::string Dir;
  /// The child's whole environment, "NAME=VALUE" each (unset: ours).
  bool ReplaceEnvironment = false;
  std::vector<std::string> Environment;
};

/// Start \p Argv (argv[0] looked up in PATH if it has no slash). Returns
/// the pid, or -1 with \p Err set to "cannot run '<argv[0]>': <reason>".
pid_t spawnProcess(const std::vector<std::string> &Argv,
                   const SpawnOptions &Options, std::string &Err);

/// Stop the process group led by \p Pid: \p Sig first, SIGKILL to whatever
/// is left after \p GraceMs milliseconds (or at once, when the leader is
/// gone: nothing it started may outlive it). Reaps the leader and returns
/// its wait status (0 if another thread reaped it). Async-signal-safe.
int stopProcessGroup(pid_t Pid, int Sig, long GraceMs);

/// "exited with status 3", "killed by signal 9 (Killed)", ...
std::string describeWaitStatus(int Status);

/// \p Argv quoted for a POSIX shell.
std::string shellCommand(const std::vector<std::string> &Argv);

} // namespace dtlto

#endif // DTLTO_PROCESS_H
