//===- Spawn.h - Start and reap job processes -------------------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The few POSIX process helpers our distributors share: start a command with
// an optional stderr redirection, describe how it ended, and print a command
// line so that a user can paste it into a shell. LLVM-free.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_SPAWN_H
#define DTLTO_SPAWN_H

#include <string>
#include <sys/types.h>
#include <vector>

namespace dtlto {

/// Start \p Argv (argv[0] looked up in PATH if it has no slash). If
/// \p StderrFd >= 0 the child's stderr goes there; with \p NewProcessGroup
/// the child leads a process group of its own. Returns the pid, or -1 with
/// \p Err set.
pid_t spawnProcess(const std::vector<std::string> &Argv, int StderrFd,
                   std::string &Err, bool NewProcessGroup = false);

/// "exited with status 3", "killed by signal 9 (Killed)", ...
std::string describeWaitStatus(int Status);

/// \p Argv quoted for a POSIX shell.
std::string shellCommand(const std::vector<std::string> &Argv);

/// Read a whole file; returns false if it cannot be opened.
bool readFile(const std::string &Path, std::string &Out);

/// A new, already unlinked temporary file in $TMPDIR (default /tmp), open
/// for reading and writing, to capture a child's output; -1 on failure.
int anonymousTempFile();

/// Everything in the file open as \p Fd, from its start.
std::string readWholeFd(int Fd);

} // namespace dtlto

#endif // DTLTO_SPAWN_H
