//===- SHA256.cpp - SHA-256 of byte strings -------------------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "dtlto/SHA256.h"

#include <cstdlib>
#include <openssl/evp.h>

using namespace dtlto;

static EVP_MD_CTX *ctx(void *P) { return static_cast<EVP_MD_CTX *>(P); }

SHA256::SHA256() : Ctx(EVP_MD_CTX_new()) {
  if (!Ctx || !EVP_DigestInit_ex(ctx(Ctx), EVP_sha256(), nullptr))
    std::abort(); // Only when out of memory.
}

SHA256::~SHA256() { EVP_MD_CTX_free(ctx(Ctx)); }

void SHA256::update(std::string_view Data) {
  EVP_DigestUpdate(ctx(Ctx), Data.data(), Data.size());
}

std::string SHA256::hexDigest() {
  unsigned char D[EVP_MAX_MD_SIZE];
  unsigned N = 0;
  EVP_DigestFinal_ex(ctx(Ctx), D, &N);
  static const char Hex[] = "0123456789abcdef";
  std::string Out;
  for (unsigned I = 0; I < N; ++I) {
    Out += Hex[D[I] >> 4];
    Out += Hex[D[I] & 15];
  }
  return Out;
}

std::string dtlto::sha256Hex(std::string_view Data) {
  SHA256 S;
  S.update(Data);
  return S.hexDigest();
}
