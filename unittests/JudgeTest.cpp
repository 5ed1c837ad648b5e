//===- JudgeTest.cpp - Whether a backend job succeeded --------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dtlto/Judge.h"

#include "gtest/gtest.h"

using namespace dtlto;

namespace {

// The first 64 bytes of an x86-64 ELF relocatable object whose 2 section
// headers (64 bytes each) start at offset 64.
std::string elfHead() {
  std::string H(64, '\0');
  H.replace(0, 7,
            "\x7f"
            "ELF\x02\x01\x01",
            7);
  H[16] = 1;  // ET_REL
  H[18] = 62; // EM_X86_64
  H[40] = 64; // e_shoff
  H[58] = 64; // e_shentsize
  H[60] = 2;  // e_shnum
  return H;
}

JobOutput output(std::string Head, uint64_t Size) {
  JobOutput O;
  O.Name = "out/m.1.o";
  O.Present = true;
  O.Head = std::move(Head);
  O.Size = Size;
  return O;
}

const char Triple[] = "x86_64-unknown-linux-gnu";

TEST(JudgeTest, GoodJob) {
  EXPECT_EQ(judgeJob({true, "", ""}, {output(elfHead(), 192)}, Triple, false),
            "");
}

TEST(JudgeTest, HowTheCompilerEnded) {
  EXPECT_EQ(judgeJob({false, "exited with status 1", ""},
                     {output(elfHead(), 192)}, Triple, false),
            "the compiler exited with status 1");
}

// clang 22 exits 0 with an empty object when an import is missing.
TEST(JudgeTest, ClangsBackendErrorWithExitZero) {
  EXPECT_EQ(judgeJob({true, "", "Error running ThinLTO backend: x\n"},
                     {output("", 0)}, Triple, false),
            "the compiler reported 'Error running ThinLTO backend' (and "
            "exited 0)");
}

TEST(JudgeTest, Outputs) {
  JobOutput Missing;
  Missing.Name = "out/m.1.o";
  EXPECT_EQ(judgeJob({true, "", ""}, {Missing}, Triple, false),
            "it did not write output 'out/m.1.o'");
  EXPECT_EQ(judgeJob({true, "", ""}, {output("", 0)}, Triple, false),
            "invalid output 'out/m.1.o': the file is empty");
  EXPECT_NE(judgeJob({true, "", ""}, {output(elfHead(), 100)}, Triple, false)
                .find("truncated ELF object"),
            std::string::npos);
  EXPECT_NE(judgeJob({true, "", ""}, {output(elfHead(), 192)},
                     "aarch64-unknown-linux-gnu", false)
                .find("wrong architecture"),
            std::string::npos);
  // -S jobs write assembly text.
  EXPECT_EQ(judgeJob({true, "", ""}, {output("\t.text\n", 7)}, Triple, true),
            "");
}

// A worker job's outputs after the object: a .dwo is an object of the
// target too; remarks are any text, even none; missing is always a failure.
TEST(JudgeTest, SideOutputs) {
  JobOutput Dwo = output(elfHead(), 192), Remarks = output("--- !Passed", 11);
  Dwo.Name = "app-dwo/1.dwo";
  Remarks.Name = "r.yaml.thin.1.yaml";
  EXPECT_EQ(judgeJob({true, "", ""}, {output(elfHead(), 192), Dwo, Remarks},
                     Triple, false),
            "");
  Remarks.Size = 0;
  Remarks.Head.clear();
  EXPECT_EQ(judgeJob({true, "", ""}, {output(elfHead(), 192), Remarks}, Triple,
                     false),
            "");
  // With -S the first output is assembly, a .dwo still an object.
  EXPECT_EQ(
      judgeJob({true, "", ""}, {output("\t.text\n", 7), Dwo}, Triple, true),
      "");
  JobOutput BadDwo = output("garbage", 7);
  BadDwo.Name = "app-dwo/1.dwo";
  EXPECT_NE(
      judgeJob({true, "", ""}, {output(elfHead(), 192), BadDwo}, Triple, false)
          .find("invalid output 'app-dwo/1.dwo'"),
      std::string::npos);
  Remarks.Present = false;
  EXPECT_EQ(judgeJob({true, "", ""}, {output(elfHead(), 192), Remarks}, Triple,
                     false),
            "it did not write output 'r.yaml.thin.1.yaml'");
}

} // namespace
