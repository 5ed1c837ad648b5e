//===- TemplatesTest.cpp - A codegen server's reuse of the driver's work --===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Templates.h"

#include "gtest/gtest.h"

using namespace dtlto;

namespace {

using Args = std::vector<std::string>;

/// What clang's driver makes of a job of DTLTO's form (abridged).
Args cc1(const std::string &M, const std::string &S, const std::string &O) {
  std::string Name = M.substr(M.rfind('/') + 1);
  return {"-cc1",
          "-triple",
          "x86_64-pc-linux-gnu",
          "-emit-obj",
          "-main-file-name",
          Name,
          "-fthinlto-index=" + S,
          "-o",
          O,
          "-x",
          "ir",
          M};
}

TEST(TemplatesTest, JobPaths) {
  std::optional<JobPaths> P =
      dtltoJobPaths({"m.o", "-fthinlto-index=m.bc", "-o", "m.native.o"});
  ASSERT_TRUE(P);
  EXPECT_EQ(P->Module, "m.o");
  EXPECT_EQ(P->Shard, "m.bc");
  EXPECT_EQ(P->Output, "m.native.o");
  EXPECT_FALSE(dtltoJobPaths({"m.o", "-fthinlto-index=m.bc", "-o"}));
  EXPECT_FALSE(dtltoJobPaths({"-x", "-fthinlto-index=m.bc", "-o", "o"}));
  EXPECT_FALSE(dtltoJobPaths({"m.o", "-c", "-o", "o"}));
}

// Trusted only after the driver, run for a second job, agrees.
TEST(TemplatesTest, TrustedAfterASecondAgreeingJob) {
  CC1Templates T;
  JobPaths A{"a.o", "a.bc", "a.obj"}, B{"d/b.o", "b.bc", "b.obj"},
      C{"c.o", "c.bc", "c.obj"};
  EXPECT_FALSE(T.lookup(A));
  T.record(A, cc1("a.o", "a.bc", "a.obj"));
  EXPECT_FALSE(T.lookup(B)); // A candidate only.
  T.record(B, cc1("d/b.o", "b.bc", "b.obj"));
  std::optional<Args> Got = T.lookup(C);
  ASSERT_TRUE(Got);
  EXPECT_EQ(*Got, cc1("c.o", "c.bc", "c.obj"));
  // Another extension: the driver may pick another input type.
  EXPECT_FALSE(T.lookup(JobPaths{"e.bc", "e.thinlto.bc", "e.obj"}));
}

TEST(TemplatesTest, OffWhenTheDriverDisagrees) {
  CC1Templates T;
  T.record({"a.o", "a.bc", "a.obj"}, cc1("a.o", "a.bc", "a.obj"));
  Args Other = cc1("b.o", "b.bc", "b.obj");
  Other.push_back("-split-dwarf-output");
  Other.push_back("b.dwo");
  T.record({"b.o", "b.bc", "b.obj"}, Other);
  EXPECT_FALSE(T.lookup({"c.o", "c.bc", "c.obj"}));
  // And stays off.
  T.record({"d.o", "d.bc", "d.obj"}, cc1("d.o", "d.bc", "d.obj"));
  EXPECT_FALSE(T.lookup({"e.o", "e.bc", "e.obj"}));
}

// A path inside another argument (e.g. -split-dwarf-file=a.obj.dwo) could
// not be substituted: never a template.
TEST(TemplatesTest, PathsMustBeWholeArguments) {
  CC1Templates T;
  Args WithDwo = cc1("a.o", "a.bc", "a.obj");
  WithDwo.push_back("-split-dwarf-file=a.obj.dwo");
  T.record({"a.o", "a.bc", "a.obj"}, WithDwo);
  Args B = cc1("b.o", "b.bc", "b.obj");
  B.push_back("-split-dwarf-file=b.obj.dwo");
  T.record({"b.o", "b.bc", "b.obj"}, B);
  EXPECT_FALSE(T.lookup({"c.o", "c.bc", "c.obj"}));
}

} // namespace
