//===- WriteFileTest.cpp - The backend's checked, exclusive writes --------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "WriteFile.h"

#include "dtlto/Files.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "gtest/gtest.h"

#include <unistd.h>

using namespace llvm;
using namespace dtlto;

namespace {

struct TempDir {
  SmallString<128> Path;
  TempDir() { EXPECT_FALSE(sys::fs::createUniqueDirectory("dtlto-wf", Path)); }
  ~TempDir() { sys::fs::remove_directories(Path); }
  std::string file(StringRef Name) const {
    SmallString<128> P(Path);
    sys::path::append(P, Name);
    return std::string(P);
  }
};

// A temporary file's name is predictable (upstream's): one somebody else
// already holds, e.g. a symlink to a file of theirs, must never be written
// through.
TEST(WriteFileTest, NewFileDoesNotFollowAPlantedSymlink) {
  TempDir D;
  std::string Victim = D.file("victim"), Temp = D.file("app.1.123.native.o");
  ASSERT_FALSE(writeFileChecked(Victim, "precious"));
  ASSERT_EQ(::symlink(Victim.c_str(), Temp.c_str()), 0);
  ASSERT_FALSE(writeNewFile(Temp, "shard bytes"));
  std::string Got;
  ASSERT_TRUE(readFile(Victim, Got));
  EXPECT_EQ(Got, "precious");
  ASSERT_TRUE(readFile(Temp, Got));
  EXPECT_EQ(Got, "shard bytes");
  EXPECT_FALSE(sys::fs::is_symlink_file(Temp));
}

TEST(WriteFileTest, NewFileReplacesALeftover) {
  TempDir D;
  std::string Temp = D.file("app.1.123.native.o.thinlto.bc");
  ASSERT_FALSE(writeFileChecked(Temp, "left by a killed link"));
  ASSERT_FALSE(writeNewFile(Temp, "new"));
  std::string Got;
  ASSERT_TRUE(readFile(Temp, Got));
  EXPECT_EQ(Got, "new");
}

TEST(WriteFileTest, ReportsAFailedOpen) {
  Error E = writeNewFile("/proc/dtlto-no-such-dir/x", "data");
  EXPECT_TRUE(bool(E));
  consumeError(std::move(E));
}

} // namespace
