//===- Judge.h - Whether a backend job succeeded ----------------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// One decision, taken the same way by every distributor (dtlto-dist here,
// dtlto-dask on its client through CAPI.h): a backend job succeeded only if
// its compiler ended normally with status 0, did not report clang's "Error
// running ThinLTO backend" (clang 22 then exits 0 with an empty object), and
// every output is a complete object for the target (or, for -S jobs,
// assembly text). The reason given for a failure is what users see.
// LLVM-free.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_JUDGE_H
#define DTLTO_JUDGE_H

#include <cstdint>
#include <string>
#include <vector>

namespace dtlto {

/// One output of a job, as the distributor got it.
struct JobOutput {
  std::string Name;     ///< Its path, as the job file names it.
  bool Present = false; ///< Written at all.
  std::string Head;     ///< Its first 64 bytes (or all of it).
  uint64_t Size = 0;
};

/// How a job's command ended.
struct JobEnd {
  /// It ended normally with status 0.
  bool Succeeded = false;
  /// Otherwise how it ended: "exited with status 1", "killed by signal 9
  /// (Killed)", "timed out after 5 s", ...
  std::string How;
  /// What it printed.
  std::string Output;
};

/// Why the job failed, or "" if it succeeded (see the file comment). The
/// reason reads after "failed: ", e.g. "the compiler exited with status 1".
std::string judgeJob(const JobEnd &End, const std::vector<JobOutput> &Outputs,
                     const std::string &Triple, bool Assembly);

/// \p Path as a JobOutput (Present false if it cannot be read).
JobOutput readJobOutput(const std::string &Path);

} // namespace dtlto

#endif // DTLTO_JUDGE_H
