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
/// standard streams and wait for it. Could-not-start, non-zero exit and death
/// by a signal are distinct errors, each naming the distributor.
llvm::Error runDistributor(const std::string &Distributor,
                           const std::vector<std::string> &Args,
                           const std::string &JobFile);

} // namespace dtlto

#endif
