//===- SHA256Test.cpp - SHA-256 against FIPS 180-4's examples -------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dtlto/SHA256.h"

#include "gtest/gtest.h"

using namespace dtlto;

namespace {

TEST(SHA256Test, KnownDigests) {
  EXPECT_EQ(sha256Hex(""),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(sha256Hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_EQ(
      sha256Hex("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
      "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
  EXPECT_EQ(sha256Hex(std::string(1000000, 'a')),
            "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

// Fed in pieces of every size around the 64-byte block, the same digest.
TEST(SHA256Test, Incremental) {
  std::string Data;
  for (int I = 0; I < 300; ++I)
    Data += static_cast<char>(I * 7);
  std::string Whole = sha256Hex(Data);
  for (size_t Piece = 1; Piece < 130; ++Piece) {
    SHA256 S;
    for (size_t At = 0; At < Data.size(); At += Piece)
      S.update(std::string_view(Data).substr(At, Piece));
    EXPECT_EQ(S.hexDigest(), Whole) << Piece;
  }
}

} // namespace
