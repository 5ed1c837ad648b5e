//===- Scheduler.h - A job file's jobs, run through an executor -*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// What every distributor of ours does with a job file, whatever runs the
// jobs: order them (longest first), keep N of them running (fewer under a
// make jobserver), judge each result the one way (Judge.h), retry a failed
// job, stop a job that runs too long, stop everything on SIGINT/SIGTERM/
// SIGHUP, show progress, write the report and trace, and say at the end
// what failed and why. An Executor only starts and stops jobs and says how
// they ended: dtlto-dist's runs them here (its own processes and dtlto-codegen
// servers); a remote one runs them elsewhere.
//
// Vocabulary: a *job* is one backend compilation of the job file; an
// *attempt* is one try at it; a *slot* is one of the N attempts that may run
// at once; a *server* is a dtlto-codegen process and a *lane* one of its
// request/reply pipe pairs (executor details).
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_SCHEDULER_H
#define DTLTO_SCHEDULER_H

#include "dtlto/JobFile.h"
#include "dtlto/Judge.h"

#include <cstddef>
#include <string>
#include <vector>

namespace dtlto {

/// How one attempt ended, as its executor saw it.
struct AttemptResult {
  size_t Job = 0;
  JobEnd End;
  /// The executor lost the attempt through no fault of the job (a server
  /// died): it runs again without counting as an attempt.
  bool Lost = false;
  /// The outputs, when the executor holds them in memory (it writes them
  /// in keep()); otherwise they are read from the job's output paths.
  bool HasOutputs = false;
  std::vector<JobOutput> Outputs;
  double CPU = -1;     ///< User + system seconds; -1 if unknown.
  long MaxRSSKiB = -1; ///< -1 if unknown.
  bool Server = false; ///< Ran in a dtlto-codegen server (for the report).
  /// More members for the job's object in --report (',"name":value'...).
  std::string ReportExtra;
};

class Executor {
public:
  virtual ~Executor();
  /// Start an attempt at job \p Job. False, with \p Why set, if it cannot
  /// start at all (the job then fails).
  virtual bool start(size_t Job, std::string &Why) = 0;
  /// Wait up to \p TimeoutMs (-1: no limit) until an attempt ends or one
  /// of \p WakeFds is readable; append every ended attempt to \p Ended.
  virtual void wait(int TimeoutMs, const std::vector<int> &WakeFds,
                    std::vector<AttemptResult> &Ended) = 0;
  /// Stop the attempt at \p Job now (it ran too long); its end is not
  /// reported.
  virtual void cancel(size_t Job) = 0;
  /// The attempt at \p Job succeeded: make its outputs final. False, with
  /// \p Why, if they cannot be (the job then fails).
  virtual bool keep(size_t Job, std::string &Why) { return true; }
  /// The attempt at \p Job failed or was stopped: remove what it wrote.
  virtual void discard(size_t Job) = 0;
  /// Stop every running attempt (the distributor was interrupted).
  virtual void stopAll() = 0;
  /// Every job is done: end what is left (idle servers).
  virtual void finish() {}
  /// The tail of the -v summary line ("", or ", 1 dtlto-codegen server...").
  virtual std::string summary() const { return ""; }
};

struct SchedulerOptions {
  unsigned Jobs = 1;    ///< Slots.
  unsigned Retries = 0; ///< More attempts for a failing job.
  double Timeout = 0;   ///< Seconds an attempt may run; 0: no limit.
  bool Verbose = false;
  bool UseJobserver = true;     ///< Join make's jobserver from MAKEFLAGS.
  bool AllowPathEscape = false; ///< Outputs outside checkOutputPaths' places.
  unsigned MaxJobs = 4096;      ///< The largest -j accepted.
  std::string ReportPath, TracePath;
};

/// The options every distributor of ours takes: -v/--verbose, -j N / -jN /
/// --jobs=N, --retries=N, --timeout=S, --report=F, --trace=F,
/// --allow-path-escape. Returns 1 if Args[I] is one (for "-j N", I then
/// indexes N), 0 if not, -1 if its value is invalid (said on stderr as
/// \p Prog's error; nothing said if \p Prog is null).
int parseSchedulerOption(const char *Prog, const std::vector<std::string> &Args,
                         size_t &I, SchedulerOptions &O);

/// The slots dtlto-dist runs with when no -j is given: the cores.
unsigned defaultLocalJobs();

/// A number in [0, \p Max], as an option's value.
bool parseNumber(const std::string &V, double Max, double &Out);

/// Read the job file \p Path into \p F and check its output paths (unless
/// \p O allows them to escape); says what is wrong on stderr.
bool loadJobFile(const char *Prog, const std::string &Path,
                 const SchedulerOptions &O, JobFile &F);

/// Run every job of \p F through \p E. Returns the exit status: 0 all jobs
/// succeeded, 1 a job failed; interrupted by a signal, it stops every
/// attempt, removes their outputs and dies by that signal.
int runJobs(const char *Prog, const JobFile &F, Executor &E,
            const SchedulerOptions &O);

} // namespace dtlto

#endif // DTLTO_SCHEDULER_H
