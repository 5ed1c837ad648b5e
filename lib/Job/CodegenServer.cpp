//===- CodegenServer.cpp - Starting a dtlto-codegen server ----------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A lane is two pipes. The server gets its ends under their own numbers
// (named in --serve-fds=) or as stdin/stdout, and nothing else of ours: all
// four ends are created close-on-exec, and the server's are closed here once
// it has them.
//
//===----------------------------------------------------------------------===//

#include "dtlto/CodegenServer.h"

#include "dtlto/Process.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace dtlto;

pid_t dtlto::startCodegenServer(const std::string &Codegen, unsigned Lanes,
                                bool Threaded,
                                const std::vector<std::string> &Common,
                                std::vector<ServerLane> &Out,
                                std::string &Err) {
  if (!Threaded)
    Lanes = 1;
  std::vector<int> Theirs; // Per lane: request read end, reply write end.
  std::vector<ServerLane> Ours;
  for (unsigned L = 0; L < Lanes; ++L) {
    int Req[2], Rep[2];
    if (::pipe2(Req, O_CLOEXEC))
      break;
    if (::pipe2(Rep, O_CLOEXEC)) {
      ::close(Req[0]);
      ::close(Req[1]);
      break;
    }
    Theirs.insert(Theirs.end(), {Req[0], Rep[1]});
    Ours.push_back({Req[1], Rep[0]});
  }
  pid_t Pid = -1;
  if (Ours.empty()) {
    Err = std::string("cannot create pipes: ") + std::strerror(errno);
  } else {
    std::vector<std::string> Argv = {Codegen};
    SpawnOptions Spawn;
    Spawn.NewProcessGroup = true;
    if (Threaded) {
      std::string Spec = "--serve-fds=";
      for (size_t K = 0; K < Theirs.size(); K += 2)
        Spec += (K ? "," : "") + std::to_string(Theirs[K]) + ":" +
                std::to_string(Theirs[K + 1]);
      Spawn.Inherit = Theirs;
      Argv.push_back(Spec);
    } else {
      Spawn.Stdin = Theirs[0];
      Spawn.Stdout = Theirs[1];
      Argv.push_back("--serve");
    }
    Argv.insert(Argv.end(), Common.begin(), Common.end());
    Pid = spawnProcess(Argv, Spawn, Err);
  }
  for (int Fd : Theirs)
    ::close(Fd);
  if (Pid < 0) {
    for (ServerLane &L : Ours) {
      ::close(L.To);
      ::close(L.From);
    }
    return -1;
  }
  Out.insert(Out.end(), Ours.begin(), Ours.end());
  return Pid;
}
