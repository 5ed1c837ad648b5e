//===- CacheSalt.cpp - What a DTLTO cache key covers beyond LLVM's --------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "CacheSalt.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Object/BuildID.h"
#include "llvm/Object/ObjectFile.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/xxhash.h"

using namespace llvm;

// The shard format (v3: declarations filed under the job's module) and the
// salt's own layout (v2: contents and compiler identity).
static const char Version[] = "dtlto-shard-v3/salt-v3";

static std::string contentHash(StringRef Bytes) {
  XXH128_hash_t H = xxh3_128bits(arrayRefFromStringRef(Bytes));
  return utohexstr(H.high64, /*LowerCase=*/true, 16) +
         utohexstr(H.low64, /*LowerCase=*/true, 16);
}

std::string dtlto::programIdentity(const std::string &Path) {
  std::string Found = Path;
  if (Path.find('/') == std::string::npos) {
    ErrorOr<std::string> InPath = sys::findProgramByName(Path);
    if (!InPath)
      return "";
    Found = *InPath;
  }
  ErrorOr<std::unique_ptr<MemoryBuffer>> MB =
      MemoryBuffer::getFile(Found, /*IsText=*/false,
                            /*RequiresNullTerminator=*/false);
  if (!MB)
    return "";
  Expected<std::unique_ptr<object::ObjectFile>> Obj =
      object::ObjectFile::createObjectFile((*MB)->getMemBufferRef());
  if (Obj) {
    object::BuildIDRef ID = object::getBuildID(Obj->get());
    if (!ID.empty())
      return "build-id:" + toHex(ID, /*LowerCase=*/true);
  } else {
    consumeError(Obj.takeError());
  }
  return "content:" + contentHash((*MB)->getBuffer());
}

std::string dtlto::cacheSalt(const std::vector<std::string> &CommonArgs,
                             const std::vector<std::string> &CommonInputs) {
  // Common inputs count by their contents, wherever the arguments name
  // them (as the argument, or after its '='): a file named after the
  // linker's process ID (our worker's configuration) has another name in
  // every link.
  auto Named = [&](const std::string &A) {
    for (size_t N = 0; N < CommonInputs.size(); ++N) {
      StringRef In = CommonInputs[N], Arg = A;
      if (!In.empty() && Arg.consume_back(In) &&
          (Arg.empty() || Arg.ends_with("=")))
        return (Arg + "<input " + Twine(N) + ">").str();
    }
    return A;
  };
  std::string Salt = Version;
  Salt += '\0';
  for (const std::string &A : CommonArgs)
    (Salt += Named(A)) += '\0';
  for (const std::string &In : CommonInputs) {
    ErrorOr<std::unique_ptr<MemoryBuffer>> MB =
        MemoryBuffer::getFile(In, /*IsText=*/false,
                              /*RequiresNullTerminator=*/false);
    // An unreadable input fails the jobs that need it; nothing is cached.
    Salt += "input:" +
            (MB ? contentHash((*MB)->getBuffer()) : std::string("missing"));
    Salt += '\0';
  }
  if (!CommonArgs.empty())
    Salt += "compiler:" + programIdentity(CommonArgs[0]);
  return Salt;
}
