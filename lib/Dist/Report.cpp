//===- Report.cpp - What a distributor tells about its jobs ---------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dtlto/Report.h"

#include "dtlto/JobFile.h"

#include <cstdio>
#include <fstream>
#include <unistd.h>

using namespace dtlto;

static std::string number(double V) {
  char Buf[32];
  std::snprintf(Buf, sizeof(Buf), "%.6f", V);
  return Buf;
}

bool dtlto::writeReport(const std::string &Path,
                        const std::vector<JobRecord> &Records) {
  std::string Out = "{\"jobs\":[";
  for (size_t I = 0; I < Records.size(); ++I) {
    const JobRecord &R = Records[I];
    Out += I ? ",\n" : "\n";
    Out += "{\"job\":" + std::to_string(R.Job) + ",\"module\":";
    appendJSONString(Out, R.Module);
    Out += ",\"start\":" + number(R.Start) + ",\"end\":" + number(R.End) +
           ",\"cpu\":" + (R.CPU < 0 ? "null" : number(R.CPU)) +
           ",\"max_rss_kib\":" +
           (R.MaxRSSKiB < 0 ? "null" : std::to_string(R.MaxRSSKiB)) +
           ",\"server\":" + (R.Server ? "true" : "false") +
           ",\"ok\":" + (R.OK ? "true" : "false") + R.Extra + "}";
  }
  Out += "\n]}\n";
  std::ofstream OS(Path, std::ios::binary);
  OS << Out;
  return bool(OS.flush());
}

bool dtlto::writeTrace(const std::string &Path,
                       const std::vector<JobRecord> &Records) {
  std::string Out = "{\"traceEvents\":[";
  for (size_t I = 0; I < Records.size(); ++I) {
    const JobRecord &R = Records[I];
    Out += I ? ",\n" : "\n";
    Out += "{\"name\":";
    appendJSONString(Out, R.Module);
    Out += ",\"ph\":\"X\",\"pid\":1,\"tid\":" + std::to_string(R.Slot) +
           ",\"ts\":" + number(R.Start * 1e6) +
           ",\"dur\":" + number((R.End - R.Start) * 1e6) +
           ",\"args\":{\"job\":" + std::to_string(R.Job) +
           ",\"ok\":" + (R.OK ? "true" : "false") + "}}";
  }
  Out += "\n],\"displayTimeUnit\":\"ms\"}\n";
  std::ofstream OS(Path, std::ios::binary);
  OS << Out;
  return bool(OS.flush());
}

Progress::Progress(size_t Total)
    : Total(Total), Enabled(::isatty(2) && Total > 0) {}

void Progress::update(size_t Done, size_t Running, double Elapsed) {
  if (!Enabled)
    return;
  std::string ETA = "?";
  if (Done)
    ETA = std::to_string(int(Elapsed / Done * (Total - Done) + 0.5)) + "s";
  std::fprintf(stderr, "\r\033[K[%zu/%zu] %zu running, ETA %s", Done, Total,
               Running, ETA.c_str());
  std::fflush(stderr);
}

void Progress::finish() {
  if (Enabled)
    std::fprintf(stderr, "\r\033[K");
}
