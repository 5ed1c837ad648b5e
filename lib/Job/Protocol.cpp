//===- Protocol.cpp - The dtlto-codegen server's wire protocol ------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dtlto/Protocol.h"

#include <cstring>

using namespace dtlto;

bool dtlto::encodeRequest(const std::vector<std::string> &Args,
                          std::string &Out, std::string &Why) {
  Out.clear();
  for (size_t I = 0; I < Args.size(); ++I) {
    if (Args[I].empty() || Args[I].find('\0') != std::string::npos) {
      Why = "argument " + std::to_string(I) +
            (Args[I].empty() ? " is empty" : " holds a NUL character");
      return false;
    }
    (Out += Args[I]) += '\0';
  }
  Out += '\0';
  return true;
}

bool dtlto::decodeRequest(std::string &Buffer, std::vector<std::string> &Args) {
  std::vector<std::string> Found;
  for (size_t Pos = 0;;) {
    size_t Nul = Buffer.find('\0', Pos);
    if (Nul == std::string::npos)
      return false;
    if (Nul == Pos) {
      Buffer.erase(0, Pos + 1);
      Args = std::move(Found);
      return true;
    }
    Found.push_back(Buffer.substr(Pos, Nul - Pos));
    Pos = Nul + 1;
  }
}

static void putU32(std::string &Out, uint32_t V) {
  for (int I = 0; I < 4; ++I)
    Out += static_cast<char>((V >> (8 * I)) & 0xff);
}

static uint32_t getU32(const char *P) {
  uint32_t V = 0;
  for (int I = 3; I >= 0; --I)
    V = (V << 8) | static_cast<unsigned char>(P[I]);
  return V;
}

std::string dtlto::encodeReply(uint32_t Status, const std::string &Output) {
  std::string Out;
  putU32(Out, Status);
  putU32(Out, static_cast<uint32_t>(Output.size()));
  return Out + Output;
}

void dtlto::decodeReplyHeader(const char *Header, uint32_t &Status,
                              uint32_t &Length) {
  Status = getU32(Header);
  Length = getU32(Header + 4);
}

bool dtlto::setsProcessState(const std::vector<std::string> &Args) {
  static const char *const Prefixes[] = {
      "-mllvm",   "-mdebug-pass", "-mlimit-float-precision", "-fpass-plugin",
      "-fplugin", "-save-stats",  "-ftime-report",           "-print-stats"};
  for (const std::string &A : Args)
    for (const char *P : Prefixes)
      if (A.compare(0, std::strlen(P), P) == 0)
        return true;
  return false;
}

bool dtlto::decodeReply(std::string &Buffer, uint32_t &Status,
                        std::string &Output) {
  if (Buffer.size() < ReplyHeaderSize)
    return false;
  uint32_t Length;
  decodeReplyHeader(Buffer.data(), Status, Length);
  if (Buffer.size() - ReplyHeaderSize < Length)
    return false;
  Output = Buffer.substr(ReplyHeaderSize, Length);
  Buffer.erase(0, ReplyHeaderSize + Length);
  return true;
}
