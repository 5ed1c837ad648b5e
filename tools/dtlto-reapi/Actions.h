//===- Actions.h - A job file as REAPI actions ------------------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Each job becomes an Action: its Command (common.args + job.args, the
// compiler as the farm knows it, a fixed environment, sorted output paths)
// and an input root holding common.inputs and the job's inputs in the
// linker's relative layout. Paths that climb ('../x') get a working
// directory deep enough below the root ("d/d/..."), as dtlto-dask lays them
// out. Every file is read and hashed once per link; the blobs of all jobs
// (files, directories, commands, actions) are collected once, so one
// FindMissingBlobs covers the link.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_TOOLS_DTLTO_REAPI_ACTIONS_H
#define DTLTO_TOOLS_DTLTO_REAPI_ACTIONS_H

#include "Remote.h"

#include "dtlto/JobFile.h"

#include <map>
#include <string>
#include <vector>

namespace dtlto {

struct ActionOptions {
  std::string RemoteCompiler; ///< Replaces common.args[0] ("": keep it).
  std::vector<std::pair<std::string, std::string>> Platform;
  double Timeout = 0; ///< Action.timeout, seconds (0: the server's).
};

struct JobAction {
  rex::Digest Action;
  /// For each output: its path in the action's result (relative to the
  /// working directory) and the job file's path for it here.
  std::vector<std::pair<std::string, std::string>> Outputs;
  /// The blobs this job's action needs (keys into ActionSet::Blobs).
  std::vector<std::string> BlobKeys;
  /// What this link uploaded for it: the blobs the farm lacked, each counted
  /// for the first job that needs it (for --report).
  uint64_t BytesUploaded = 0;
};

struct ActionSet {
  std::vector<JobAction> Jobs;
  std::map<std::string, Blob> Blobs; ///< By digestKey.
};

/// Build the actions of every job of \p F. False, with \p Err naming the
/// job and the path, for an input that cannot be read or an absolute path.
bool buildActions(const JobFile &F, const ActionOptions &O, ActionSet &Out,
                  std::string &Err);

/// \p Path without "." and with "x/.." collapsed; "" if it is absolute.
std::string normalizeRelative(const std::string &Path);

} // namespace dtlto

#endif
