//===- RemoteStatistics.h - Backend jobs' statistics in the link's file ---===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_LIB_BACKEND_REMOTESTATISTICS_H
#define DTLTO_LIB_BACKEND_REMOTESTATISTICS_H

#include "dtlto/Backend.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"

namespace dtlto {

/// Add the counters of one job's statistics file (LLVM's JSON, \p Text, read
/// from \p Name) to those that go into the link's \p StatsFile.
llvm::Error addRemoteStatistics(llvm::StringRef StatsFile, llvm::StringRef Name,
                                llvm::StringRef Text);

// mergeRemoteStatistics() is in dtlto/Backend.h: the linker calls it.

} // namespace dtlto

#endif
