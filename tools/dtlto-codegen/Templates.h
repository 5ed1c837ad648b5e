//===- Templates.h - A codegen server's reuse of the driver's work -*- C++ -*-//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The driver's part of a job (finding the GCC installation: ~130 file
// system calls; building the toolchain and the cc1 command) costs a server
// about a millisecond per job, and gives the same cc1 command for every job
// of the server but for the job's own paths. So the cc1 command of a job in
// DTLTO's form (<module> -fthinlto-index=<shard> -o <object>) becomes a
// template: each path in it is replaced by the next job's. A template is
// trusted only once the driver, run for a second job, has produced exactly
// what the replacement gives; if it ever does not, every job runs the
// driver. Templates apply to modules with the same extension only (the
// driver picks the input's type by it).
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_TOOLS_CODEGEN_TEMPLATES_H
#define DTLTO_TOOLS_CODEGEN_TEMPLATES_H

#include "llvm/ADT/ArrayRef.h"

#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace dtlto {
/// The paths of a job in DTLTO's form: <module> -fthinlto-index=<shard>
/// -o <object>.
struct JobPaths {
  std::string Module, Shard, Output;
};

class CC1Templates {
public:
  /// The cc1 arguments of \p J from a trusted template, if there is one.
  std::optional<std::vector<std::string>> lookup(const JobPaths &J);
  /// What the driver made of \p J (it printed nothing).
  void record(const JobPaths &J, const std::vector<std::string> &CC1);

private:
  std::optional<std::vector<std::string>> apply(const JobPaths &J) const;
  bool usable() const;

  std::mutex Lock;
  enum { Empty, Candidate, Trusted, Off } State = Empty;
  JobPaths From;
  std::vector<std::string> Args;
};
/// The paths of a job whose own arguments are in DTLTO's form, if they are.
std::optional<JobPaths> dtltoJobPaths(llvm::ArrayRef<std::string> JobArgs);

} // namespace dtlto

#endif // DTLTO_TOOLS_CODEGEN_TEMPLATES_H
