//===- LTOConfigFile.cpp - Write and read the link's lto::Config ----------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// One function per direction, each expanded from LTOConfigFields.def, so a
// field is written and read by the same table entry. See LTOConfigFile.h for
// the format and why it exists.
//
//===----------------------------------------------------------------------===//

#include "dtlto/LTOConfigFile.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Config/llvm-config.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"

#include <optional>
#include <type_traits>

using namespace llvm;
using namespace dtlto;

namespace {

constexpr const char *Magic = "dtlto-lto-config";

std::string hashOf(StringRef Body) {
  return utohexstr(xxh3_64bits(arrayRefFromStringRef(Body)), /*LowerCase=*/true,
                   /*Width=*/16);
}

json::Value strings(const std::vector<std::string> &V) {
  json::Array A;
  for (const std::string &S : V)
    A.push_back(S);
  return A;
}

/// Reads one field of the object, checking its type; errors name the file
/// and the field.
class Reader {
public:
  Reader(const json::Object &O, StringRef File) : O(O), File(File) {}

  Error error(const Twine &Key, const Twine &Why) const {
    return createStringError(inconvertibleErrorCode(),
                             "invalid LTO configuration file '" + File +
                                 "': field '" + Key + "' " + Why);
  }

  Expected<const json::Value *> get(StringRef Key) {
    const json::Value *V = O.get(Key);
    if (!V)
      return error(Key, "is missing");
    return V;
  }

  Expected<bool> boolean(StringRef Key) {
    Expected<const json::Value *> V = get(Key);
    if (!V)
      return V.takeError();
    if (std::optional<bool> B = (*V)->getAsBoolean())
      return *B;
    return error(Key, "is not a boolean");
  }

  Expected<int64_t> integer(StringRef Key) {
    Expected<const json::Value *> V = get(Key);
    if (!V)
      return V.takeError();
    if (std::optional<int64_t> I = (*V)->getAsInteger())
      return *I;
    return error(Key, "is not an integer");
  }

  Expected<std::optional<int64_t>> optInteger(StringRef Key) {
    Expected<const json::Value *> V = get(Key);
    if (!V)
      return V.takeError();
    if ((*V)->kind() == json::Value::Null)
      return std::optional<int64_t>();
    if (std::optional<int64_t> I = (*V)->getAsInteger())
      return std::optional<int64_t>(*I);
    return error(Key, "is neither null nor an integer");
  }

  Expected<std::optional<std::string>> optString(StringRef Key) {
    Expected<const json::Value *> V = get(Key);
    if (!V)
      return V.takeError();
    if ((*V)->kind() == json::Value::Null)
      return std::optional<std::string>();
    if (std::optional<StringRef> S = (*V)->getAsString())
      return std::optional<std::string>(S->str());
    return error(Key, "is neither null nor a string");
  }

  Expected<std::string> string(StringRef Key) {
    Expected<std::optional<std::string>> S = optString(Key);
    if (!S)
      return S.takeError();
    if (!*S)
      return error(Key, "is not a string");
    return **S;
  }

  Expected<std::vector<std::string>> list(StringRef Key) {
    Expected<const json::Value *> V = get(Key);
    if (!V)
      return V.takeError();
    const json::Array *A = (*V)->getAsArray();
    if (!A)
      return error(Key, "is not a list");
    std::vector<std::string> Out;
    for (const json::Value &E : *A) {
      std::optional<StringRef> S = E.getAsString();
      if (!S)
        return error(Key, "has an element that is not a string");
      Out.push_back(S->str());
    }
    return Out;
  }

  Expected<std::pair<int, int>> pair(StringRef Key) {
    Expected<const json::Value *> V = get(Key);
    if (!V)
      return V.takeError();
    const json::Array *A = (*V)->getAsArray();
    if (!A || A->size() != 2 || !(*A)[0].getAsInteger() ||
        !(*A)[1].getAsInteger())
      return error(Key, "is not a pair of integers");
    return std::make_pair(int(*(*A)[0].getAsInteger()),
                          int(*(*A)[1].getAsInteger()));
  }

  /// Every key of the object is one of ours.
  Error checkKnown() {
    for (const auto &KV : O) {
      StringRef Key = KV.first;
      bool Known = Key == "dtlto.LLVMOptions";
#define CFG(Struct, Field, Member, Kind) Known |= Key == #Struct "." #Field;
#include "LTOConfigFields.def"
      if (!Known)
        return error(Key, "is unknown (written by another version of dtlto?)");
    }
    return Error::success();
  }

private:
  const json::Object &O;
  StringRef File;
};

template <typename T> int64_t asInt(T V) { return static_cast<int64_t>(V); }

} // namespace

std::string dtlto::writeLTOConfig(const lto::Config &C,
                                  const WorkerSettings &S) {
  json::Object O;
#define CFG_Bool(Key, M) O[Key] = bool(C.M);
#define CFG_Int(Key, M) O[Key] = asInt(C.M);
#define CFG_OptInt(Key, M)                                                     \
  O[Key] = C.M ? json::Value(asInt(*C.M)) : json::Value(nullptr);
#define CFG_Str(Key, M) O[Key] = C.M;
#define CFG_List(Key, M) O[Key] = strings(C.M);
#define CFG_Pair(Key, M) O[Key] = json::Array{C.M.first, C.M.second};
#define CFG_Buffer(Key, M)                                                     \
  O[Key] = C.M ? json::Value(C.M->getBuffer().str()) : json::Value(nullptr);
#define CFG_Code(Key, M)
#define CFG(Struct, Field, Member, Kind) CFG_##Kind(#Struct "." #Field, Member)
#include "LTOConfigFields.def"
#undef CFG_Bool
#undef CFG_Int
#undef CFG_OptInt
#undef CFG_Str
#undef CFG_List
#undef CFG_Pair
#undef CFG_Buffer
  O["dtlto.LLVMOptions"] = strings(S.LLVMOptions);

  std::string Body;
  raw_string_ostream OS(Body);
  OS << json::Value(std::move(O));
  OS.flush();
  return (Twine(Magic) + " " + Twine(LTOConfigVersion) + " llvm " +
          LLVM_VERSION_STRING + " xxh3 " + hashOf(Body) + "\n" + Body)
      .str();
}

Error dtlto::readLTOConfig(StringRef Text, StringRef Name, lto::Config &C,
                           WorkerSettings &S) {
  auto Fail = [&](const Twine &Why) {
    return createStringError(inconvertibleErrorCode(),
                             "invalid LTO configuration file '" + Name +
                                 "': " + Why);
  };
  auto [Header, Body] = Text.split('\n');
  SmallVector<StringRef, 6> H;
  Header.split(H, ' ');
  if (H.size() != 6 || H[0] != Magic || H[2] != "llvm" || H[4] != "xxh3")
    return Fail("not a dtlto LTO configuration (bad header)");
  unsigned Version;
  if (H[1].getAsInteger(10, Version) || Version != LTOConfigVersion)
    return Fail("format version " + H[1] + ", this worker reads version " +
                Twine(LTOConfigVersion) + " only");
  // Fields and their meaning are those of one LLVM release series.
  StringRef Mine = LLVM_VERSION_STRING;
  auto Series = [](StringRef V) {
    return V.substr(0, V.find('.', V.find('.') + 1));
  };
  if (Series(H[3]) != Series(Mine))
    return Fail("written for LLVM " + H[3] + ", this worker runs LLVM " + Mine);
  if (H[5] != hashOf(Body))
    return Fail("its contents do not match its hash (corrupted or truncated)");
  Expected<json::Value> V = json::parse(Body);
  if (!V)
    return Fail(toString(V.takeError()));
  const json::Object *O = V->getAsObject();
  if (!O)
    return Fail("the body is not a JSON object");

  Reader R(*O, Name);
  if (Error E = R.checkKnown())
    return E;
#define CFG_READ(Kind, Key, M)                                                 \
  {                                                                            \
    auto Got = R.Kind(Key);                                                    \
    if (!Got)                                                                  \
      return Got.takeError();                                                  \
    CFG_SET_##Kind(M, *Got)                                                    \
  }
#define CFG_SET_boolean(M, G) C.M = G;
#define CFG_SET_integer(M, G) C.M = static_cast<decltype(C.M)>(G);
#define CFG_SET_optInteger(M, G)                                               \
  if (G)                                                                       \
    C.M = static_cast<std::remove_reference_t<decltype(*C.M)>>(*G);            \
  else                                                                         \
    C.M = std::nullopt;
#define CFG_SET_string(M, G) C.M = std::move(G);
#define CFG_SET_list(M, G) C.M = std::move(G);
#define CFG_SET_pair(M, G) C.M = G;
#define CFG_SET_optString(M, G)                                                \
  if (G)                                                                       \
    C.M = MemoryBuffer::getMemBufferCopy(*G, "basic-block-sections list");     \
  else                                                                         \
    C.M.reset();
#define CFG_Bool(Key, M) CFG_READ(boolean, Key, M)
#define CFG_Int(Key, M) CFG_READ(integer, Key, M)
#define CFG_OptInt(Key, M) CFG_READ(optInteger, Key, M)
#define CFG_Str(Key, M) CFG_READ(string, Key, M)
#define CFG_List(Key, M) CFG_READ(list, Key, M)
#define CFG_Pair(Key, M) CFG_READ(pair, Key, M)
#define CFG_Buffer(Key, M) CFG_READ(optString, Key, M)
#define CFG(Struct, Field, Member, Kind) CFG_##Kind(#Struct "." #Field, Member)
#include "LTOConfigFields.def"
#undef CFG_Bool
#undef CFG_Int
#undef CFG_OptInt
#undef CFG_Str
#undef CFG_List
#undef CFG_Pair
#undef CFG_Buffer
#undef CFG_Code
  Expected<std::vector<std::string>> Options = R.list("dtlto.LLVMOptions");
  if (!Options)
    return Options.takeError();
  S.LLVMOptions = std::move(*Options);
  return Error::success();
}

std::string dtlto::inProcessDwoFile(const lto::Config &Conf, unsigned Task) {
  if (Conf.DwoDir.empty())
    return "";
  SmallString<256> Path(Conf.DwoDir);
  sys::path::append(Path, Twine(Task) + ".dwo");
  return std::string(Path);
}

std::string dtlto::inProcessRemarksFile(const lto::Config &Conf,
                                        unsigned Task) {
  if (Conf.RemarksFilename.empty())
    return "";
  return Conf.RemarksFilename + ".thin." + std::to_string(Task) + "." +
         Conf.RemarksFormat;
}

void dtlto::printLTOConfigFields(raw_ostream &OS) {
#define CFG(Struct, Field, Member, Kind)                                       \
  OS << #Struct "." #Field " " #Kind "\n";
#include "LTOConfigFields.def"
}
