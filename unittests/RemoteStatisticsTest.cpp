//===- RemoteStatisticsTest.cpp - Jobs' statistics in the link's file -----===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "RemoteStatistics.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/raw_ostream.h"

#include "gtest/gtest.h"

using namespace llvm;
using namespace dtlto;

namespace {

std::string readAll(StringRef Path) {
  auto MB = MemoryBuffer::getFile(Path);
  return MB ? (*MB)->getBuffer().str() : "";
}

// Debian's LLVM has its counters compiled out, so real links write "{}";
// the merge itself is checked here with counters as LLVM writes them.
TEST(RemoteStatistics, SumsIntoTheLinkersFile) {
  SmallString<128> Path;
  ASSERT_FALSE(sys::fs::createTemporaryFile("stats", "json", Path));
  {
    std::error_code EC;
    raw_fd_ostream OS(Path, EC);
    OS << "{\n\t\"function-import.NumImportedFunctions\": 3,\n"
          "\t\"wholeprogramdevirt.NumSingleImpl\": 1,\n"
          "\t\"time.pass.total.wall\": 1.500000e-01\n}\n";
  }
  ASSERT_FALSE(bool(
      addRemoteStatistics(Path, "job1",
                          "{\n\t\"function-import.NumImportedFunctions\": 2,\n"
                          "\t\"instcombine.NumCombined\": 10,\n"
                          "\t\"time.pass.total.wall\": 9.0e-01\n}\n")));
  ASSERT_FALSE(
      bool(addRemoteStatistics(Path, "job2",
                               "{\n\t\"instcombine.NumCombined\": 5,\n"
                               "\t\"asm-printer.EmittedInsts\": 7\n}\n")));
  ASSERT_FALSE(bool(mergeRemoteStatistics()));
  EXPECT_EQ(readAll(Path), "{\n"
                           "\t\"asm-printer.EmittedInsts\": 7,\n"
                           "\t\"function-import.NumImportedFunctions\": 5,\n"
                           "\t\"instcombine.NumCombined\": 15,\n"
                           "\t\"wholeprogramdevirt.NumSingleImpl\": 1,\n"
                           "\t\"time.pass.total.wall\": 1.500000e-01\n"
                           "}\n");
  // Nothing pending any more: a second merge leaves the file alone.
  ASSERT_FALSE(bool(mergeRemoteStatistics()));
  EXPECT_NE(readAll(Path).find("\"instcombine.NumCombined\": 15"),
            std::string::npos);
  sys::fs::remove(Path);
}

TEST(RemoteStatistics, EmptyFilesStayLLVMs) {
  SmallString<128> Path;
  ASSERT_FALSE(sys::fs::createTemporaryFile("stats", "json", Path));
  {
    std::error_code EC;
    raw_fd_ostream OS(Path, EC);
    OS << "{\n\n}\n";
  }
  ASSERT_FALSE(bool(addRemoteStatistics(Path, "job", "{\n\n}\n")));
  ASSERT_FALSE(bool(mergeRemoteStatistics()));
  EXPECT_EQ(readAll(Path), "{\n\n}\n");
  sys::fs::remove(Path);
}

TEST(RemoteStatistics, BadJobFile) {
  Error E = addRemoteStatistics("s.json", "job.stats.json",
                                "{\n\t\"a.B\": many\n}\n");
  EXPECT_EQ(toString(std::move(E)),
            "invalid statistics file 'job.stats.json': 'a.B' is not a count");
}

} // namespace
