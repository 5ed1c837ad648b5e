//===- ObjectCheck.cpp - Validate native objects returned by jobs ---------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Reads just enough of an ELF or COFF header to tell a complete object for the
// right machine from an empty, truncated, non-object or foreign file.
//
//===----------------------------------------------------------------------===//

#include "dtlto/ObjectCheck.h"

#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <fstream>

using namespace dtlto;

namespace {

enum class Format { Unknown, ELF, COFF };

struct Expectation {
  Format Fmt = Format::Unknown;
  unsigned ELFMachine = 0; // 0: any.
  int ELFClass = 0;        // 1: 32-bit, 2: 64-bit, 0: any.
  bool BigEndian = false;
  unsigned COFFMachine = 0; // 0: any.
  std::string Arch;
};

bool startsWith(std::string_view S, std::string_view P) {
  return S.substr(0, P.size()) == P;
}

Expectation expectationFor(std::string_view Triple) {
  Expectation E;
  if (Triple.empty())
    return E;
  std::string_view Arch = Triple.substr(0, Triple.find('-'));
  E.Arch = std::string(Arch);
  bool Windows = Triple.find("-windows") != std::string_view::npos ||
                 Triple.find("-mingw") != std::string_view::npos ||
                 Triple.find("-cygwin") != std::string_view::npos;
  bool WinELF = Windows && Triple.size() >= 4 &&
                Triple.substr(Triple.size() - 4) == "-elf";
  E.Fmt = Windows && !WinELF ? Format::COFF : Format::ELF;
  struct Row {
    std::string_view Prefix;
    unsigned ELF;
    int Class;
    bool BE;
    unsigned COFF;
  };
  static const Row Rows[] = {
      {"x86_64", 62, 2, false, 0x8664}, {"amd64", 62, 2, false, 0x8664},
      {"i386", 3, 1, false, 0x14c},     {"i486", 3, 1, false, 0x14c},
      {"i586", 3, 1, false, 0x14c},     {"i686", 3, 1, false, 0x14c},
      {"aarch64_be", 183, 2, true, 0},  {"aarch64", 183, 2, false, 0xaa64},
      {"arm64", 183, 2, false, 0xaa64}, {"armeb", 40, 1, true, 0},
      {"arm", 40, 1, false, 0x1c4},     {"thumb", 40, 1, false, 0x1c4},
      {"riscv64", 243, 2, false, 0},    {"riscv32", 243, 1, false, 0},
      {"powerpc64le", 21, 2, false, 0}, {"powerpc64", 21, 2, true, 0},
      {"ppc64le", 21, 2, false, 0},     {"ppc64", 21, 2, true, 0},
      {"s390x", 22, 2, true, 0},        {"loongarch64", 258, 2, false, 0},
      {"sparcv9", 43, 2, true, 0},      {"mips64el", 8, 2, false, 0},
      {"mips64", 8, 2, true, 0},        {"mipsel", 8, 1, false, 0},
      {"mips", 8, 1, true, 0},          {"hexagon", 164, 1, false, 0},
      {"bpfel", 247, 2, false, 0},      {"bpfeb", 247, 2, true, 0},
  };
  for (const Row &R : Rows)
    if (startsWith(Arch, R.Prefix)) {
      E.ELFMachine = R.ELF;
      E.ELFClass = R.Class;
      E.BigEndian = R.BE;
      E.COFFMachine = R.COFF;
      break;
    }
  return E;
}

uint64_t readUInt(std::string_view B, size_t Off, size_t Size, bool BE) {
  uint64_t V = 0;
  for (size_t I = 0; I < Size; ++I) {
    unsigned char C = B[Off + (BE ? I : Size - 1 - I)];
    V = (V << 8) | C;
  }
  return V;
}

bool checkELF(std::string_view B, uint64_t Size, const Expectation &E,
              std::string &Why) {
  int Class = B.size() > 4 ? static_cast<unsigned char>(B[4]) : 0;
  bool BE = B.size() > 5 && B[5] == 2;
  size_t HeaderSize = Class == 2 ? 64 : 52;
  if ((Class != 1 && Class != 2) || B.size() < HeaderSize) {
    Why = "truncated or corrupt ELF header";
    return false;
  }
  if (readUInt(B, 16, 2, BE) != 1) {
    Why = "not a relocatable ELF object";
    return false;
  }
  unsigned Machine = readUInt(B, 18, 2, BE);
  if ((E.ELFClass && E.ELFClass != Class) ||
      (E.ELFClass && E.BigEndian != BE) ||
      (E.ELFMachine && E.ELFMachine != Machine)) {
    Why = "wrong architecture: ELF machine " + std::to_string(Machine) +
          (Class == 2 ? ", 64-bit" : ", 32-bit") +
          (BE ? " big-endian" : " little-endian") + " does not match target '" +
          E.Arch + "'";
    return false;
  }
  uint64_t ShOff = readUInt(B, Class == 2 ? 40 : 32, Class == 2 ? 8 : 4, BE);
  uint64_t ShEntSize = readUInt(B, Class == 2 ? 58 : 46, 2, BE);
  uint64_t ShNum = readUInt(B, Class == 2 ? 60 : 48, 2, BE);
  if (ShOff == 0 || ShOff > Size || ShNum * ShEntSize > Size - ShOff) {
    Why = "truncated ELF object: section headers extend past the end of the "
          "file (" +
          std::to_string(Size) + " bytes)";
    return false;
  }
  return true;
}

bool checkCOFF(std::string_view B, uint64_t Size, const Expectation &E,
               std::string &Why) {
  bool Big = B.size() >= 4 && readUInt(B, 0, 2, false) == 0 &&
             readUInt(B, 2, 2, false) == 0xffff;
  size_t HeaderSize = Big ? 56 : 20;
  if (B.size() < HeaderSize) {
    Why = "truncated COFF header";
    return false;
  }
  unsigned Machine = readUInt(B, Big ? 6 : 0, 2, false);
  if (E.COFFMachine && Machine != E.COFFMachine) {
    Why = "wrong architecture: COFF machine 0x" +
          [&] {
            char Buf[8];
            std::snprintf(Buf, sizeof(Buf), "%x", Machine);
            return std::string(Buf);
          }() +
          " does not match target '" + E.Arch + "'";
    return false;
  }
  uint64_t SymPtr = readUInt(B, Big ? 44 : 8, 4, false);
  uint64_t NumSyms = readUInt(B, Big ? 48 : 12, 4, false);
  uint64_t SymSize = Big ? 20 : 18;
  if (SymPtr > Size || NumSyms * SymSize > Size - SymPtr) {
    Why = "truncated COFF object: symbol table extends past the end of the "
          "file (" +
          std::to_string(Size) + " bytes)";
    return false;
  }
  return true;
}

bool isCOFFMachine(unsigned M) {
  return M == 0x8664 || M == 0x14c || M == 0xaa64 || M == 0x1c4 ||
         M == 0xa64e || M == 0xa641;
}

} // namespace

bool dtlto::checkNativeObject(std::string_view B, uint64_t Size,
                              std::string_view Triple, std::string &Why) {
  if (Size == 0) {
    Why = "the file is empty";
    return false;
  }
  Expectation E = expectationFor(Triple);
  bool IsELF = B.size() >= 4 && B.substr(0, 4) == "\x7f"
                                                  "ELF";
  bool IsBigCOFF = B.size() >= 4 && readUInt(B, 0, 2, false) == 0 &&
                   readUInt(B, 2, 2, false) == 0xffff;
  bool IsCOFF =
      IsBigCOFF || (B.size() >= 2 && isCOFFMachine(readUInt(B, 0, 2, false)));
  if (B.size() >= 4 && B.substr(0, 4) == "BC\xc0\xde") {
    Why = "the file is LLVM bitcode, not a native object";
    return false;
  }
  if (E.Fmt == Format::ELF || (E.Fmt == Format::Unknown && IsELF)) {
    if (!IsELF) {
      Why = IsCOFF ? "wrong format: a COFF object where ELF was expected"
                   : "not an object file (no ELF header)";
      return false;
    }
    return checkELF(B, Size, E, Why);
  }
  if (E.Fmt == Format::COFF || (E.Fmt == Format::Unknown && IsCOFF)) {
    if (!IsCOFF) {
      Why = IsELF ? "wrong format: an ELF object where COFF was expected"
                  : "not an object file (no COFF header)";
      return false;
    }
    return checkCOFF(B, Size, E, Why);
  }
  Why = "not an object file";
  return false;
}

bool dtlto::checkNativeObjectFile(const std::string &Path,
                                  std::string_view Triple, std::string &Why,
                                  bool Assembly) {
  std::ifstream In(Path, std::ios::binary);
  if (!In) {
    Why = std::strerror(errno);
    return false;
  }
  // The headers we look at are within the first 64 bytes.
  char Head[64];
  In.read(Head, sizeof(Head));
  std::string_view B(Head, static_cast<size_t>(In.gcount()));
  In.clear();
  In.seekg(0, std::ios::end);
  uint64_t Size = static_cast<uint64_t>(In.tellg());
  return checkJobOutput(B, Size, Triple, Assembly, Why);
}

bool dtlto::checkJobOutput(std::string_view B, uint64_t Size,
                           std::string_view Triple, bool Assembly,
                           std::string &Why) {
  if (!Assembly)
    return checkNativeObject(B, Size, Triple, Why);
  if (Size == 0) {
    Why = "the file is empty";
    return false;
  }
  // Assembly is text: no NUL byte in its first bytes (an object has many).
  if (B.find('\0') != std::string_view::npos) {
    Why = "not assembly text (binary data where -S output was expected)";
    return false;
  }
  return true;
}
