//===- ProtocolTest.cpp - The codegen server's wire protocol --------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dtlto/Protocol.h"

#include "gtest/gtest.h"

using namespace dtlto;

namespace {

TEST(ProtocolTest, RequestRoundTrip) {
  std::string Wire, Why;
  ASSERT_TRUE(
      encodeRequest({"m.o", "-fthinlto-index=s", "-o", "x y.o"}, Wire, Why));
  EXPECT_EQ(Wire, std::string("m.o\0-fthinlto-index=s\0-o\0x y.o\0\0", 32));
  // Two requests back to back, read as they arrive byte by byte.
  std::string Stream = Wire + Wire, Buffer;
  std::vector<std::string> Args;
  unsigned Got = 0;
  for (char C : Stream) {
    Buffer += C;
    if (decodeRequest(Buffer, Args)) {
      ++Got;
      EXPECT_EQ(Args.size(), 4u);
      EXPECT_EQ(Args[3], "x y.o");
    }
  }
  EXPECT_EQ(Got, 2u);
  EXPECT_TRUE(Buffer.empty());
}

TEST(ProtocolTest, RejectsWhatCannotBeFramed) {
  std::string Wire, Why;
  EXPECT_FALSE(encodeRequest({"m.o", ""}, Wire, Why));
  EXPECT_EQ(Why, "argument 1 is empty");
  EXPECT_FALSE(encodeRequest({std::string("a\0b", 3)}, Wire, Why));
  EXPECT_EQ(Why, "argument 0 holds a NUL character");
}

TEST(ProtocolTest, ReplyRoundTrip) {
  std::string Wire = encodeReply(3, "error: x\n");
  ASSERT_EQ(Wire.size(), ReplyHeaderSize + 9);
  EXPECT_EQ(Wire.substr(0, 8), std::string("\3\0\0\0\x09\0\0\0", 8));
  std::string Partial = Wire.substr(0, 10), Output;
  uint32_t Status = 0;
  EXPECT_FALSE(decodeReply(Partial, Status, Output));
  EXPECT_EQ(Partial.size(), 10u); // Unchanged while incomplete.
  std::string Whole = Wire + "rest";
  ASSERT_TRUE(decodeReply(Whole, Status, Output));
  EXPECT_EQ(Status, 3u);
  EXPECT_EQ(Output, "error: x\n");
  EXPECT_EQ(Whole, "rest");
}

} // namespace

namespace {
// Which common arguments make a codegen server run jobs one at a time.
TEST(ProtocolTest, ProcessState) {
  using dtlto::setsProcessState;
  EXPECT_FALSE(setsProcessState({"clang", "-c", "-O2", "-fpic"}));
  EXPECT_FALSE(setsProcessState(
      {"clang", "-Xclang", "-target-cpu", "-Xclang", "x86-64-v3"}));
  EXPECT_TRUE(setsProcessState({"clang", "-mllvm", "-align-all-functions=6"}));
  EXPECT_TRUE(setsProcessState({"clang", "-fpass-plugin=p.so"}));
  EXPECT_TRUE(setsProcessState({"clang", "-save-stats=obj"}));
  EXPECT_TRUE(setsProcessState({"clang", "-ftime-report"}));
}
} // namespace
