//===- ShardRepair.h - Fix non-ASCII module paths in shards -----*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_LIB_BACKEND_SHARDREPAIR_H
#define DTLTO_LIB_BACKEND_SHARDREPAIR_H

#include "llvm/IR/ModuleSummaryIndex.h"
#include "llvm/Support/Error.h"

#include <string>

namespace dtlto {

/// True if \p S has a byte >= 0x80, which LLVM 22's index writer corrupts.
bool hasNonASCII(llvm::StringRef S);

/// Rewrite the module string table of the shard \p Shard (bitcode in
/// memory, named \p ShardName in errors), which names exactly \p Modules,
/// with correctly encoded paths. Fails, leaving \p Shard as it was, unless
/// the result reads back as expected.
llvm::Error repairModulePaths(llvm::SmallVectorImpl<char> &Shard,
                              llvm::StringRef ShardName,
                              llvm::ArrayRef<std::string> Modules,
                              const llvm::ModuleSummaryIndex &CombinedIndex);

} // namespace dtlto

#endif
