//===- Jobserver.cpp - GNU make jobserver client --------------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dtlto/Jobserver.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>

using namespace dtlto;

bool Jobserver::init(const char *MakeFlags) {
  if (!MakeFlags)
    return false;
  std::string Flags = MakeFlags, Auth;
  for (const char *Key : {"--jobserver-auth=", "--jobserver-fds="}) {
    size_t P = Flags.rfind(Key);
    if (P != std::string::npos) {
      Auth = Flags.substr(P + std::strlen(Key));
      Auth = Auth.substr(0, Auth.find(' '));
      break;
    }
  }
  if (Auth.empty())
    return false;
  int R = -1, W = -1;
  if (Auth.rfind("fifo:", 0) == 0) {
    R = ::open(Auth.c_str() + 5, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    W = ::open(Auth.c_str() + 5, O_WRONLY | O_CLOEXEC);
  } else {
    int InR, InW;
    if (std::sscanf(Auth.c_str(), "%d,%d", &InR, &InW) != 2 ||
        ::fcntl(InR, F_GETFD) < 0 || ::fcntl(InW, F_GETFD) < 0)
      return false; // make did not pass the fds to us (no '+' in the rule).
    // A private, non-blocking open of the same pipe: the shared file
    // description's flags stay as make set them.
    std::string Path = "/proc/self/fd/" + std::to_string(InR);
    R = ::open(Path.c_str(), O_RDONLY | O_NONBLOCK | O_CLOEXEC);
    W = ::dup(InW);
  }
  if (R < 0 || W < 0) {
    if (R >= 0)
      ::close(R);
    if (W >= 0)
      ::close(W);
    return false;
  }
  ReadFd = R;
  WriteFd = W;
  return true;
}

bool Jobserver::tryAcquire() {
  char C;
  ssize_t N;
  do
    N = ::read(ReadFd, &C, 1);
  while (N < 0 && errno == EINTR);
  if (N != 1)
    return false;
  Tokens.push_back(C);
  return true;
}

void Jobserver::release() {
  if (Tokens.empty())
    return;
  char C = Tokens.back();
  Tokens.pop_back();
  ssize_t N;
  do
    N = ::write(WriteFd, &C, 1);
  while (N < 0 && errno == EINTR);
}
