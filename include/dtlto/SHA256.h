//===- SHA256.h - SHA-256 of byte strings -----------------------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The digest function of content-addressed storage (REAPI's SHA256), for
// the LLVM-free distributors: FIPS 180-4, incremental.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_SHA256_H
#define DTLTO_SHA256_H

#include <cstdint>
#include <string>
#include <string_view>

namespace dtlto {

class SHA256 {
public:
  SHA256();
  void update(std::string_view Data);
  /// The digest as 64 lowercase hex digits; the object is then spent.
  std::string hexDigest();

private:
  void block(const unsigned char *P);
  uint32_t H[8];
  unsigned char Buf[64];
  size_t Used = 0;
  uint64_t Length = 0;
};

/// The SHA-256 of \p Data, as 64 lowercase hex digits.
std::string sha256Hex(std::string_view Data);

} // namespace dtlto

#endif // DTLTO_SHA256_H
