//===- Report.h - What a distributor tells about its jobs -------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What a distributor tells about its jobs: the live one-line progress
// display (only on a terminal), the optional per-job report (JSON) and the
// optional Chrome trace (chrome://tracing or Perfetto), all fed by the same
// per-job records.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_REPORT_H
#define DTLTO_REPORT_H

#include <string>
#include <vector>

namespace dtlto {

struct JobRecord {
  size_t Job = 0;
  std::string Module;
  double Start = 0, End = 0; // Seconds since the distributor started.
  double CPU = -1;           // User + system seconds; -1 if unknown.
  long MaxRSSKiB = -1;       // -1 if unknown.
  unsigned Slot = 0;         // Which of the N parallel job slots ran it.
  bool Server = false;       // Ran in a dtlto-codegen server.
  bool OK = false;
  /// More members of the job's JSON object, from the executor (each
  /// written as ',"name":value').
  std::string Extra;
};

/// Write \p Records as {"jobs":[...]} to \p Path; false on a write error.
bool writeReport(const std::string &Path, const std::vector<JobRecord> &R);

/// Write \p Records as Chrome trace events to \p Path.
bool writeTrace(const std::string &Path, const std::vector<JobRecord> &R);

/// "[done/total] N running, ETA Ts" on stderr, if stderr is a terminal.
class Progress {
public:
  explicit Progress(size_t Total);
  void update(size_t Done, size_t Running, double Elapsed);
  void finish();

private:
  size_t Total;
  bool Enabled;
};

} // namespace dtlto

#endif
