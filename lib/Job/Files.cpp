//===- Files.cpp - Whole-file reads and capture files ---------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dtlto/Files.h"

#include <climits>
#include <cstdlib>
#include <fcntl.h>
#include <fstream>
#include <sstream>
#include <unistd.h>

using namespace dtlto;

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
  int Fd = ::mkostemp(Templ.data(), O_CLOEXEC);
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

std::string dtlto::realPath(const std::string &Path) {
  char Buf[PATH_MAX];
  return ::realpath(Path.c_str(), Buf) ? std::string(Buf) : std::string();
}

std::string dtlto::executableDir() {
  std::string Self = realPath("/proc/self/exe");
  size_t Slash = Self.rfind('/');
  return Slash == std::string::npos ? "." : Self.substr(0, Slash);
}
