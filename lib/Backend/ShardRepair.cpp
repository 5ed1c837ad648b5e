//===- ShardRepair.cpp - Fix non-ASCII module paths in index shards -------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// LLVM 22's summary-index writer sign-extends the bytes of module paths when
// it emits the module string table, so a byte >= 0x80 sets every higher bit
// of the 32-bit word being written: the path is corrupted, and so are up to
// three bytes after it. In-process ThinLTO never reads those paths back, but
// a DTLTO backend does (to load the modules it imports), and clang 22 then
// writes an empty object and exits 0.
//
// The corruption never changes field widths, so the block has the layout a
// correct writer would have produced. We walk it with the correct values:
// the abbreviations (defined first in the block, intact) give each field's
// encoding, the records are one ENTRY (module id, path) and one HASH per
// module in path order, and every field is rewritten in place. The result is
// accepted only if the walk ends exactly at the block's end and LLVM's reader
// then sees exactly the expected module paths.
//
//===----------------------------------------------------------------------===//

#include "ShardRepair.h"

#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/LLVMBitCodes.h"
#include "llvm/Support/MemoryBuffer.h"

#include <set>

using namespace llvm;

namespace {

// Bit-level access to a bitstream held in a byte vector; bit 0 is the least
// significant bit of byte 0, as in LLVM's bitstream format. Reading or
// writing past the end does nothing but set Overrun, which the caller checks
// before trusting anything it read.
class BitBuffer {
public:
  explicit BitBuffer(std::vector<uint8_t> &Bytes) : B(Bytes) {}
  uint64_t Pos = 0;
  bool Overrun = false;

  bool fits(uint64_t N) const { return Pos <= Size() && N <= Size() - Pos; }
  uint64_t read(unsigned N) {
    uint64_t V = 0;
    if (N > 64 || !fits(N)) {
      Overrun = true;
      return 0;
    }
    for (unsigned I = 0; I < N; ++I, ++Pos)
      V |= uint64_t((B[Pos / 8] >> (Pos % 8)) & 1) << I;
    return V;
  }
  // N is 2..32 (checked where widths come from the shard).
  uint64_t readVBR(unsigned N) {
    uint64_t V = 0;
    for (unsigned Shift = 0; Shift < 64 && !Overrun; Shift += N - 1) {
      uint64_t Chunk = read(N);
      V |= (Chunk & ((1ULL << (N - 1)) - 1)) << Shift;
      if (!(Chunk >> (N - 1)))
        break;
    }
    return V;
  }
  void write(uint64_t V, unsigned N) {
    if (N > 64 || !fits(N)) {
      Overrun = true;
      return;
    }
    for (unsigned I = 0; I < N; ++I, ++Pos) {
      uint8_t Mask = 1 << (Pos % 8);
      B[Pos / 8] = ((V >> I) & 1) ? (B[Pos / 8] | Mask) : (B[Pos / 8] & ~Mask);
    }
  }
  void writeVBR(uint64_t V, unsigned N) {
    uint64_t Limit = 1ULL << (N - 1);
    while (V >= Limit && !Overrun) {
      write((V & (Limit - 1)) | Limit, N);
      V >>= N - 1;
    }
    write(V, N);
  }
  void align32() { Pos = (Pos + 31) / 32 * 32; }

private:
  uint64_t Size() const { return uint64_t(B.size()) * 8; }
  std::vector<uint8_t> &B;
};

struct AbbrevOp {
  enum Kind { Literal, Fixed, VBR, Array, Char6, Blob } K;
  uint64_t Value; // Literal value or width.
};
using Abbrev = std::vector<AbbrevOp>;

int char6(char C) {
  if (C >= 'a' && C <= 'z')
    return C - 'a';
  if (C >= 'A' && C <= 'Z')
    return C - 'A' + 26;
  if (C >= '0' && C <= '9')
    return C - '0' + 52;
  if (C == '.')
    return 62;
  if (C == '_')
    return 63;
  return -1;
}

bool writeScalar(BitBuffer &BB, const AbbrevOp &Op, uint64_t V) {
  switch (Op.K) {
  case AbbrevOp::Literal:
    return Op.Value == V;
  case AbbrevOp::Fixed:
    BB.write(V, Op.Value);
    return true;
  case AbbrevOp::VBR:
    BB.writeVBR(V, Op.Value);
    return true;
  case AbbrevOp::Char6: {
    int C = char6(static_cast<char>(V));
    if (C < 0)
      return false;
    BB.write(C, 6);
    return true;
  }
  default:
    return false;
  }
}

// Write Values (code first) with abbreviation A at the current position.
bool writeRecord(BitBuffer &BB, unsigned Width, unsigned Id, const Abbrev &A,
                 const std::vector<uint64_t> &Values) {
  BB.write(Id, Width);
  size_t V = 0;
  for (size_t I = 0; I < A.size(); ++I) {
    if (A[I].K == AbbrevOp::Array) {
      if (I + 2 != A.size())
        return false;
      BB.writeVBR(Values.size() - V, 6);
      for (; V < Values.size(); ++V)
        if (!writeScalar(BB, A[I + 1], Values[V]))
          return false;
      return true;
    }
    if (A[I].K == AbbrevOp::Blob || V >= Values.size() ||
        !writeScalar(BB, A[I], Values[V++]))
      return false;
  }
  return V == Values.size();
}

Error fail(StringRef Shard, const Twine &Why) {
  return createStringError(inconvertibleErrorCode(),
                           "cannot repair the module paths in index shard '" +
                               Shard + "': " + Why);
}

} // namespace

bool dtlto::hasNonASCII(StringRef S) {
  return any_of(S,
                [](char C) { return static_cast<unsigned char>(C) >= 0x80; });
}

Error dtlto::repairModulePaths(SmallVectorImpl<char> &Shard,
                               StringRef ShardName,
                               ArrayRef<std::string> Modules,
                               const ModuleSummaryIndex &CombinedIndex) {
  std::vector<uint8_t> Bytes(Shard.begin(), Shard.end());
  BitBuffer BB(Bytes);

  // The writer orders modules by path (a std::map) and numbers them so.
  std::set<std::string> Sorted(Modules.begin(), Modules.end());

  // Find the module string table: top level, or inside the module block
  // (index files put it there, after an unabbreviated VERSION record).
  if (Bytes.size() < 8 || BB.read(32) != 0xdec04342)
    return fail(ShardName, "not a bitcode file");
  uint64_t BlockEnd = 0;
  unsigned Width = 2;
  while (true) {
    if (!BB.fits(Width))
      return fail(ShardName, "no module string table");
    uint64_t Code = BB.read(Width);
    if (Code == bitc::END_BLOCK) {
      BB.align32();
      continue;
    }
    if (Code == bitc::UNABBREV_RECORD) {
      BB.readVBR(6); // Record code.
      for (uint64_t N = BB.readVBR(6); N && BB.fits(6); --N)
        BB.readVBR(6);
      continue;
    }
    if (Code != bitc::ENTER_SUBBLOCK || !BB.fits(8 + 4 + 32 + 32))
      return fail(ShardName, "unexpected record before the module string "
                             "table");
    uint64_t BlockId = BB.readVBR(8);
    unsigned NewWidth = BB.readVBR(4);
    BB.align32();
    uint64_t NumWords = BB.read(32);
    BlockEnd = BB.Pos + NumWords * 32;
    if (BB.Overrun || BlockEnd > Bytes.size() * 8 || NewWidth < 2 ||
        NewWidth > 32)
      return fail(ShardName, "truncated or corrupt block");
    if (BlockId == bitc::MODULE_STRTAB_BLOCK_ID) {
      Width = NewWidth;
      break;
    }
    if (BlockId == bitc::MODULE_BLOCK_ID)
      Width = NewWidth; // Look inside.
    else
      BB.Pos = BlockEnd; // Skip.
  }

  // The abbreviations come first and are intact.
  std::vector<Abbrev> Abbrevs;
  while (true) {
    uint64_t Start = BB.Pos;
    if (!BB.fits(Width) || BB.read(Width) != bitc::DEFINE_ABBREV) {
      BB.Pos = Start;
      break;
    }
    Abbrev A;
    uint64_t NumOps = BB.readVBR(5);
    for (uint64_t I = 0; I < NumOps && BB.fits(1); ++I) {
      if (BB.read(1)) {
        A.push_back({AbbrevOp::Literal, BB.readVBR(8)});
        continue;
      }
      uint64_t Enc = BB.read(3);
      if (Enc == 1 || Enc == 2) {
        uint64_t W = BB.readVBR(5);
        // What LLVM's reader accepts: fixed 0..64 bits, VBR chunks 2..32.
        if (Enc == 1 ? W > 64 : W < 2 || W > 32)
          return fail(ShardName, "unexpected abbreviations");
        A.push_back({Enc == 1 ? AbbrevOp::Fixed : AbbrevOp::VBR, W});
      } else if (Enc == 3)
        A.push_back({AbbrevOp::Array, 0});
      else if (Enc == 4)
        A.push_back({AbbrevOp::Char6, 0});
      else
        A.push_back({AbbrevOp::Blob, 0});
    }
    Abbrevs.push_back(std::move(A));
  }

  if (BB.Overrun)
    return fail(ShardName, "truncated module string table");

  // Abbreviation ids start after the four builtin ones.
  int Entry8 = -1, Entry7 = -1, Entry6 = -1, Hash = -1;
  for (size_t I = 0; I < Abbrevs.size(); ++I) {
    const Abbrev &A = Abbrevs[I];
    if (A.empty() || A[0].K != AbbrevOp::Literal)
      continue;
    int Id = I + bitc::FIRST_APPLICATION_ABBREV;
    if (A[0].Value == bitc::MST_CODE_HASH)
      Hash = Id;
    else if (A[0].Value == bitc::MST_CODE_ENTRY && A.size() == 4 &&
             A[2].K == AbbrevOp::Array) {
      if (A[3].K == AbbrevOp::Char6)
        Entry6 = Id;
      else if (A[3].K == AbbrevOp::Fixed && A[3].Value == 7)
        Entry7 = Id;
      else if (A[3].K == AbbrevOp::Fixed && A[3].Value == 8)
        Entry8 = Id;
    }
  }
  if (Entry6 < 0 || Entry7 < 0 || Entry8 < 0 || Hash < 0)
    return fail(ShardName, "unexpected abbreviations");

  // Rewrite every record with the correct values.
  uint64_t ModuleId = 0;
  for (const std::string &Path : Sorted) {
    bool AllChar6 = all_of(Path, [](char C) { return char6(C) >= 0; });
    int Id = AllChar6 ? Entry6 : hasNonASCII(Path) ? Entry8 : Entry7;
    std::vector<uint64_t> Values = {bitc::MST_CODE_ENTRY, ModuleId++};
    for (char C : Path)
      Values.push_back(static_cast<unsigned char>(C));
    if (!writeRecord(BB, Width, Id,
                     Abbrevs[Id - bitc::FIRST_APPLICATION_ABBREV], Values))
      return fail(ShardName, "cannot encode the path '" + Path + "'");
    const ModuleHash &H = CombinedIndex.getModuleHash(Path);
    if (all_of(H, [](uint32_t W) { return W == 0; }))
      continue;
    std::vector<uint64_t> HashValues = {bitc::MST_CODE_HASH};
    HashValues.insert(HashValues.end(), H.begin(), H.end());
    if (!writeRecord(BB, Width, Hash,
                     Abbrevs[Hash - bitc::FIRST_APPLICATION_ABBREV],
                     HashValues))
      return fail(ShardName, "cannot encode a module hash");
  }
  BB.write(bitc::END_BLOCK, Width);
  BB.align32();
  if (BB.Overrun || BB.Pos != BlockEnd)
    return fail(ShardName, "unexpected module string table layout");

  // Accept the result only if LLVM reads back exactly the expected paths.
  MemoryBufferRef Ref(
      StringRef(reinterpret_cast<const char *>(Bytes.data()), Bytes.size()),
      ShardName);
  Expected<std::unique_ptr<ModuleSummaryIndex>> Index =
      getModuleSummaryIndex(Ref);
  if (!Index)
    return fail(ShardName, toString(Index.takeError()));
  std::set<std::string> Read;
  for (const auto &MP : (*Index)->modulePaths())
    Read.insert(MP.first().str());
  if (Read != Sorted)
    return fail(ShardName, "the repaired table does not hold the expected "
                           "module paths");
  // ...and every summary is still attributed to the module defining it.
  for (const auto &GV : **Index)
    for (const auto &S : GV.second.getSummaryList())
      if (!CombinedIndex.findSummaryInModule(GV.first, S->modulePath()))
        return fail(ShardName, "a summary is attributed to the wrong module");

  Shard.assign(Bytes.begin(), Bytes.end());
  return Error::success();
}
