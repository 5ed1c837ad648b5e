//===- SHA256.h - SHA-256 of byte strings -----------------------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The digest function of content-addressed storage (REAPI's SHA256), for
// the LLVM-free distributors. OpenSSL's (Debian's libcrypto, which gRPC
// loads anyway): its vectorised SHA-256 hashes a link's inputs several times
// faster than portable code, and every input and every download is hashed.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_SHA256_H
#define DTLTO_SHA256_H

#include <string>
#include <string_view>

namespace dtlto {

class SHA256 {
public:
  SHA256();
  ~SHA256();
  SHA256(const SHA256 &) = delete;
  SHA256 &operator=(const SHA256 &) = delete;
  void update(std::string_view Data);
  /// The digest as 64 lowercase hex digits; the object is then spent.
  std::string hexDigest();

private:
  void *Ctx; // EVP_MD_CTX.
};

/// The SHA-256 of \p Data, as 64 lowercase hex digits.
std::string sha256Hex(std::string_view Data);

} // namespace dtlto

#endif // DTLTO_SHA256_H
