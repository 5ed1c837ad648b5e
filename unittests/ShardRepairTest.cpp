//===- ShardRepairTest.cpp - Repairing non-ASCII module paths -------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "ShardRepair.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/ModuleSummaryIndex.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"

using namespace llvm;
using namespace dtlto;

namespace {

const std::vector<std::string> Paths = {"lib/\xc3\xa9t\xc3\xa9.o", "main.o"};

// An index naming two modules, one with a non-ASCII path, as LLVM 22's
// writer emits it (which corrupts that path).
SmallString<0> writtenIndex(ModuleSummaryIndex &Index) {
  for (const std::string &P : Paths)
    Index.addModule(P);
  SmallString<0> Buf;
  raw_svector_ostream OS(Buf);
  writeIndexToFile(Index, OS);
  return Buf;
}

std::vector<std::string> readBackPaths(StringRef Bytes) {
  Expected<std::unique_ptr<ModuleSummaryIndex>> Index =
      getModuleSummaryIndex(MemoryBufferRef(Bytes, "shard"));
  if (!Index) {
    consumeError(Index.takeError());
    return {};
  }
  std::vector<std::string> Out;
  for (const auto &MP : (*Index)->modulePaths())
    Out.push_back(MP.first().str());
  std::sort(Out.begin(), Out.end());
  return Out;
}

TEST(ShardRepairTest, RepairsNonASCIIPaths) {
  ModuleSummaryIndex Index(/*HaveGVs=*/false);
  SmallString<0> Buf = writtenIndex(Index);
  ASSERT_TRUE(hasNonASCII(Paths[0]));
  ASSERT_FALSE(repairModulePaths(Buf, "shard", Paths, Index));
  EXPECT_EQ(readBackPaths(Buf), Paths);
}

// The repair walks the bitstream by hand: every truncation of a shard, and
// garbage, is either an error that leaves the bytes as they were, or (a
// prefix ending after the module table, which LLVM reads as a whole file)
// a repair that reads back right; never a read or write past the end (the
// sanitized build checks).
TEST(ShardRepairTest, TruncatedOrGarbageShards) {
  ModuleSummaryIndex Index(/*HaveGVs=*/false);
  SmallString<0> Whole = writtenIndex(Index);
  unsigned Repaired = 0;
  for (size_t N = 0; N < Whole.size(); ++N) {
    SmallString<0> Part(Whole.begin(), Whole.begin() + N);
    if (Error E = repairModulePaths(Part, "shard", Paths, Index)) {
      consumeError(std::move(E));
      EXPECT_EQ(StringRef(Part), StringRef(Whole).take_front(N));
      continue;
    }
    ++Repaired;
    EXPECT_EQ(readBackPaths(Part), Paths) << "prefix of " << N << " bytes";
  }
  EXPECT_LT(Repaired, Whole.size() / 8);
  SmallString<0> Garbage;
  for (unsigned I = 0; I < 4096; ++I)
    Garbage.push_back(static_cast<char>((I * 2654435761u) >> 13));
  Garbage[0] = 'B', Garbage[1] = 'C', Garbage[2] = '\xc0', Garbage[3] = '\xde';
  SmallString<0> Copy = Garbage;
  Error E = repairModulePaths(Garbage, "garbage", Paths, Index);
  EXPECT_TRUE(bool(E));
  consumeError(std::move(E));
  EXPECT_EQ(Garbage, Copy);
}

} // namespace
