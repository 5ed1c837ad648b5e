//===- CommandLineTest.cpp - The linker's command line as lld reads it ----===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Options.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/raw_ostream.h"
#include "gtest/gtest.h"

#include <cstdlib>

using namespace llvm;

namespace {

struct ResponseFiles {
  SmallString<128> Dir;
  ResponseFiles() {
    EXPECT_FALSE(sys::fs::createUniqueDirectory("dtlto-rsp", Dir));
  }
  ~ResponseFiles() { sys::fs::remove_directories(Dir); }
  std::string write(StringRef Name, StringRef Text) {
    SmallString<128> P(Dir);
    sys::path::append(P, Name);
    std::error_code EC;
    raw_fd_ostream OS(P, EC);
    OS << Text;
    return std::string(P);
  }
};

using Args = std::vector<std::string>;

TEST(CommandLineTest, NestedGNUQuoting) {
  ResponseFiles R;
  std::string Inner = R.write("inner.rsp", "-plugin-opt=-x=1 'a b'\n");
  std::string Outer =
      R.write("outer.rsp", "--thinlto-distributor=d \"@" + Inner + "\" c\\ d");
  EXPECT_EQ(dtlto::expandCommandLine({"ld.lld", "@" + Outer, "-o", "x"}, false),
            (Args{"ld.lld", "--thinlto-distributor=d", "-plugin-opt=-x=1",
                  "a b", "c d", "-o", "x"}));
}

TEST(CommandLineTest, QuotingOption) {
  ResponseFiles R;
  std::string F = R.write("w.rsp", "\"a b\" 'c d'");
  EXPECT_EQ(dtlto::expandCommandLine(
                {"ld.lld", "--rsp-quoting=windows", "@" + F}, false),
            (Args{"ld.lld", "--rsp-quoting=windows", "a b", "'c", "d'"}));
  // lld-link quotes the Windows way by default, on every host.
  EXPECT_EQ(dtlto::expandCommandLine({"lld-link", "@" + F}, true),
            (Args{"lld-link", "a b", "'c", "d'"}));
}

TEST(CommandLineTest, MissingFileIsLeftForLLD) {
  EXPECT_EQ(dtlto::expandCommandLine({"ld.lld", "@/nonexistent.rsp"}, false),
            (Args{"ld.lld", "@/nonexistent.rsp"}));
}

TEST(CommandLineTest, LinkEnvironmentForCOFF) {
  ::setenv("LINK", "/a \"/b c\"", 1);
  ::setenv("_LINK_", "/z", 1);
  EXPECT_EQ(
      dtlto::expandCommandLine({"lld-link", "/lldignoreenv", "x.obj"}, true),
      (Args{"lld-link", "/lldignoreenv", "x.obj"}));
  EXPECT_EQ(dtlto::expandCommandLine({"lld-link", "x.obj"}, true),
            (Args{"lld-link", "/z", "/a", "/b c", "x.obj"}));
  // Now on the command line: lld-link must not read them again.
  EXPECT_EQ(::getenv("LINK"), nullptr);
  EXPECT_EQ(::getenv("_LINK_"), nullptr);
}

TEST(CommandLineTest, OwnOptionsInAnyCaseForCOFF) {
  std::vector<std::string> A = {"lld-link", "/THINLTO-DISTRIBUTOR-FALLBACK",
                                "/thinlto-distributor-timeout:5", "x.obj"};
  std::string Err;
  ASSERT_TRUE(dtlto::takeOwnOptions(A, true, Err)) << Err;
  EXPECT_EQ(A, (Args{"lld-link", "x.obj"}));
}

} // namespace
