//===- JobFileTest.cpp - The job-file reader and writer -------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dtlto/JobFile.h"

#include "gtest/gtest.h"

using namespace dtlto;

namespace {

const char Good[] =
    R"({"common":{"linker_output":"out/app","args":["cc","-c"],"inputs":[]},)"
    R"("jobs":[{"args":["m.o","-fthinlto-index=out/m.bc","-o","out/m.1.o"],)"
    R"("inputs":["m.o","out/m.bc"],"outputs":["out/m.1.o"]}]})";

TEST(JobFileTest, RoundTripsLLVM22Form) {
  JobFile F;
  std::string Err, Text;
  ASSERT_TRUE(parseJobFile(Good, "good.json", F, Err)) << Err;
  EXPECT_EQ(F.LinkerOutput, "out/app");
  ASSERT_EQ(F.Jobs.size(), 1u);
  EXPECT_EQ(F.command(0).size(), 6u);
  EXPECT_EQ(F.moduleOf(0), "m.o");
  ASSERT_TRUE(writeJobFile(F, Text, Err)) << Err;
  EXPECT_EQ(Text, Good); // Compact, one line, same order: LLVM 22's bytes.
}

TEST(JobFileTest, RejectsNul) {
  std::string Text = Good;
  Text.replace(Text.find("out/m.1.o\"]}"), 9, "out/\\u0000x");
  JobFile F;
  std::string Err;
  EXPECT_FALSE(parseJobFile(Text, "nul.json", F, Err));
  EXPECT_NE(Err.find("nul.json"), std::string::npos) << Err;
  EXPECT_NE(Err.find("\\u0000 in a string"), std::string::npos) << Err;
}

TEST(JobFileTest, DecodesEscapes) {
  JobFile F;
  std::string Err;
  ASSERT_TRUE(parseJobFile(
      R"({"common":{"linker_output":"a\tb\u00e9\ud83d\ude00","args":["cc"],)"
      R"("inputs":[]},"jobs":[]})",
      "esc.json", F, Err))
      << Err;
  EXPECT_EQ(F.LinkerOutput, "a\tb\xc3\xa9\xf0\x9f\x98\x80");
}

TEST(JobFileTest, NamesTheKeyPath) {
  JobFile F;
  std::string Err;
  EXPECT_FALSE(parseJobFile(
      R"({"common":{"linker_output":"a","args":["cc"],"inputs":[]},)"
      R"("jobs":[{"args":["m",1],"inputs":["m","s"],"outputs":["o"]}]})",
      "bad.json", F, Err));
  EXPECT_NE(Err.find("jobs[0].args[1]"), std::string::npos) << Err;
}

TEST(JobFileTest, OutputPathsStayInTheOutputDirectory) {
  JobFile F;
  std::string Err;
  ASSERT_TRUE(parseJobFile(Good, "good.json", F, Err)) << Err;
  EXPECT_TRUE(checkOutputPaths(F, "job.json", Err)) << Err;
  F.Jobs[0].Outputs[0] = "out/../../etc/passwd";
  EXPECT_FALSE(checkOutputPaths(F, "job.json", Err));
  // Beside the job file (a linker's private directory) is allowed too.
  F.Jobs[0].Outputs[0] = "/dev/shm/dtlto-1/m.1.2.native.o";
  EXPECT_FALSE(checkOutputPaths(F, "job.json", Err));
  EXPECT_NE(Err.find("job file's '.'"), std::string::npos) << Err;
  EXPECT_TRUE(checkOutputPaths(F, "/dev/shm/dtlto-1/a.1.dist-file.json", Err))
      << Err;
  F.Jobs[0].Outputs[0] = "/dev/shm/dtlto-1/../x/m.o";
  EXPECT_FALSE(checkOutputPaths(F, "/dev/shm/dtlto-1/a.1.dist-file.json", Err));
}

} // namespace
