//===- Jobserver.h - GNU make jobserver client ------------------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// When the link runs under `make -jN`, MAKEFLAGS offers a jobserver: a pipe
// (or, from make 4.4, a named FIFO) holding one token per spare job slot.
// Every job beyond the first that this distributor runs holds a token, so a
// link inside a parallel build never oversubscribes the machine.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_JOBSERVER_H
#define DTLTO_JOBSERVER_H

#include <string>
#include <vector>

namespace dtlto {

class Jobserver {
public:
  /// Join the jobserver named in \p MakeFlags, if any. Returns false (and
  /// stays inactive) if there is none or it cannot be opened.
  bool init(const char *MakeFlags);
  bool active() const { return ReadFd >= 0; }
  /// Take a token without blocking; true if one was taken.
  bool tryAcquire();
  /// An fd that polls readable when a token may be available.
  int pollFd() const { return ReadFd; }
  size_t held() const { return Tokens.size(); }
  /// Give one token back (if held).
  void release();
  void releaseAll() {
    while (!Tokens.empty())
      release();
  }

private:
  int ReadFd = -1, WriteFd = -1;
  std::vector<char> Tokens;
};

} // namespace dtlto

#endif
