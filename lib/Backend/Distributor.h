//===- Distributor.h - Run the distributor process --------------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_LIB_BACKEND_DISTRIBUTOR_H
#define DTLTO_LIB_BACKEND_DISTRIBUTOR_H

#include "llvm/Support/Error.h"

#include <string>
#include <vector>

namespace dtlto {

/// Run `Distributor Args... JobFile` in the current directory with inherited
/// standard streams, in a process group of its own, and wait for it (at most
/// \p Timeout seconds, if not 0). Could-not-start, non-zero exit, death by a
/// signal and timeout are distinct errors, each naming the distributor.
llvm::Error runDistributor(const std::string &Distributor,
                           const std::vector<std::string> &Args,
                           const std::string &JobFile, unsigned Timeout);

} // namespace dtlto

#endif
