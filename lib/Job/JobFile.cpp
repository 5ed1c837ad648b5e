//===- JobFile.cpp - Write and strictly read DTLTO job files --------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A small JSON reader and writer for exactly one schema. The writer escapes
// strings the way llvm::json does (so our files are byte-identical to LLVM
// 22's); the reader accepts any valid JSON text but then insists on the
// schema, naming the offending key path.
//
//===----------------------------------------------------------------------===//

#include "dtlto/JobFile.h"
#include "dtlto/Files.h"

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <memory>
#include <utility>

using namespace dtlto;

std::vector<std::string> JobFile::command(size_t I) const {
  std::vector<std::string> Cmd = CommonArgs;
  Cmd.insert(Cmd.end(), Jobs[I].Args.begin(), Jobs[I].Args.end());
  return Cmd;
}

std::string JobFile::target() const {
  for (const std::string &A : CommonArgs)
    if (A.compare(0, 9, "--target=") == 0)
      return A.substr(9);
  return "";
}

bool JobFile::emitsAssembly() const {
  for (const std::string &A : CommonArgs)
    if (A == "-S")
      return true;
  return false;
}

const std::string &JobFile::moduleOf(size_t I) const {
  static const std::string Unknown = "<unknown module>";
  const Job &J = Jobs[I];
  if (!J.Inputs.empty())
    return J.Inputs[0];
  return J.Args.empty() ? Unknown : J.Args[0];
}

bool dtlto::isValidUTF8(std::string_view S) {
  size_t I = 0, N = S.size();
  while (I < N) {
    unsigned char C = S[I];
    if (C < 0x80) {
      ++I;
      continue;
    }
    size_t Len;
    unsigned Min;
    if ((C & 0xE0) == 0xC0) {
      Len = 2;
      Min = 0x80;
    } else if ((C & 0xF0) == 0xE0) {
      Len = 3;
      Min = 0x800;
    } else if ((C & 0xF8) == 0xF0) {
      Len = 4;
      Min = 0x10000;
    } else {
      return false;
    }
    if (I + Len > N)
      return false;
    unsigned CP = C & (0x7F >> Len);
    for (size_t K = 1; K < Len; ++K) {
      unsigned char CC = S[I + K];
      if ((CC & 0xC0) != 0x80)
        return false;
      CP = (CP << 6) | (CC & 0x3F);
    }
    if (CP < Min || CP > 0x10FFFF || (CP >= 0xD800 && CP <= 0xDFFF))
      return false;
    I += Len;
  }
  return true;
}

//===----------------------------------------------------------------------===//
// Writer
//===----------------------------------------------------------------------===//

// Escape as llvm::json does: '"' and '\' get a backslash, \t \n \r have short
// forms, other control characters become \u00xx in lower-case hex, and
// everything else (including UTF-8) is copied.
void dtlto::appendJSONString(std::string &Out, std::string_view S) {
  static const char Hex[] = "0123456789abcdef";
  Out += '"';
  for (unsigned char C : S) {
    if (C == '"' || C == '\\')
      Out += '\\';
    if (C >= 0x20) {
      Out += static_cast<char>(C);
      continue;
    }
    Out += '\\';
    switch (C) {
    case '\t':
      Out += 't';
      break;
    case '\n':
      Out += 'n';
      break;
    case '\r':
      Out += 'r';
      break;
    default:
      Out += "u00";
      Out += Hex[C >> 4];
      Out += Hex[C & 15];
    }
  }
  Out += '"';
}

static void writeArray(std::string &Out, const std::vector<std::string> &A) {
  Out += '[';
  for (size_t I = 0; I < A.size(); ++I) {
    if (I)
      Out += ',';
    appendJSONString(Out, A[I]);
  }
  Out += ']';
}

static bool checkUTF8(const std::vector<std::string> &A, std::string &Err) {
  for (const std::string &S : A)
    if (!isValidUTF8(S)) {
      Err = "'" + S +
            "' is not valid UTF-8 and cannot be written to a JSON "
            "job file";
      return false;
    }
  return true;
}

bool dtlto::writeJobFile(const JobFile &F, std::string &Out, std::string &Err) {
  if (!checkUTF8({F.LinkerOutput}, Err) || !checkUTF8(F.CommonArgs, Err) ||
      !checkUTF8(F.CommonInputs, Err))
    return false;
  for (const Job &J : F.Jobs)
    if (!checkUTF8(J.Args, Err) || !checkUTF8(J.Inputs, Err) ||
        !checkUTF8(J.Outputs, Err))
      return false;

  Out.clear();
  Out += "{\"common\":{\"linker_output\":";
  appendJSONString(Out, F.LinkerOutput);
  Out += ",\"args\":";
  writeArray(Out, F.CommonArgs);
  Out += ",\"inputs\":";
  writeArray(Out, F.CommonInputs);
  Out += "},\"jobs\":[";
  for (size_t I = 0; I < F.Jobs.size(); ++I) {
    if (I)
      Out += ',';
    Out += "{\"args\":";
    writeArray(Out, F.Jobs[I].Args);
    Out += ",\"inputs\":";
    writeArray(Out, F.Jobs[I].Inputs);
    Out += ",\"outputs\":";
    writeArray(Out, F.Jobs[I].Outputs);
    Out += '}';
  }
  Out += "]}";
  return true;
}

//===----------------------------------------------------------------------===//
// Reader: generic JSON first, then the schema.
//===----------------------------------------------------------------------===//

namespace {

struct Value {
  enum Kind { Null, Bool, Number, String, Array, Object } K = Null;
  std::string Str; // String payload.
  std::vector<Value> Elems;
  std::vector<std::pair<std::string, Value>> Members; // In file order.
};

class Parser {
public:
  explicit Parser(std::string_view Text) : T(Text) {}

  bool parse(Value &V, std::string &Err) {
    skipWS();
    if (!parseValue(V, 0))
      return fail(Err);
    skipWS();
    if (P != T.size()) {
      Msg = "unexpected text after the top-level value";
      return fail(Err);
    }
    return true;
  }

private:
  static constexpr unsigned MaxDepth = 64;
  std::string_view T;
  size_t P = 0;
  std::string Msg;

  bool fail(std::string &Err) {
    Err = "malformed JSON at byte " + std::to_string(P) + ": " + Msg;
    return false;
  }
  bool error(const char *M) {
    Msg = M;
    return false;
  }
  void skipWS() {
    while (P < T.size() &&
           (T[P] == ' ' || T[P] == '\t' || T[P] == '\n' || T[P] == '\r'))
      ++P;
  }
  bool literal(std::string_view L) {
    if (T.substr(P, L.size()) != L)
      return error("invalid literal");
    P += L.size();
    return true;
  }

  bool parseValue(Value &V, unsigned Depth) {
    if (Depth > MaxDepth)
      return error("nesting too deep");
    if (P >= T.size())
      return error("unexpected end of input");
    switch (T[P]) {
    case '{':
      return parseObject(V, Depth);
    case '[':
      return parseArray(V, Depth);
    case '"':
      V.K = Value::String;
      return parseString(V.Str);
    case 't':
      V.K = Value::Bool;
      return literal("true");
    case 'f':
      V.K = Value::Bool;
      return literal("false");
    case 'n':
      V.K = Value::Null;
      return literal("null");
    default:
      V.K = Value::Number;
      return parseNumber();
    }
  }

  bool parseNumber() {
    size_t Start = P;
    if (P < T.size() && T[P] == '-')
      ++P;
    auto Digits = [&] {
      size_t S = P;
      while (P < T.size() && T[P] >= '0' && T[P] <= '9')
        ++P;
      return P > S;
    };
    if (!Digits())
      return error("invalid value");
    if (P < T.size() && T[P] == '.' && (++P, !Digits()))
      return error("invalid number");
    if (P < T.size() && (T[P] == 'e' || T[P] == 'E')) {
      ++P;
      if (P < T.size() && (T[P] == '+' || T[P] == '-'))
        ++P;
      if (!Digits())
        return error("invalid number");
    }
    return P > Start;
  }

  static void appendUTF8(std::string &S, unsigned CP) {
    if (CP < 0x80) {
      S += static_cast<char>(CP);
    } else if (CP < 0x800) {
      S += static_cast<char>(0xC0 | (CP >> 6));
      S += static_cast<char>(0x80 | (CP & 0x3F));
    } else if (CP < 0x10000) {
      S += static_cast<char>(0xE0 | (CP >> 12));
      S += static_cast<char>(0x80 | ((CP >> 6) & 0x3F));
      S += static_cast<char>(0x80 | (CP & 0x3F));
    } else {
      S += static_cast<char>(0xF0 | (CP >> 18));
      S += static_cast<char>(0x80 | ((CP >> 12) & 0x3F));
      S += static_cast<char>(0x80 | ((CP >> 6) & 0x3F));
      S += static_cast<char>(0x80 | (CP & 0x3F));
    }
  }

  bool hex4(unsigned &CP) {
    if (P + 4 > T.size())
      return error("truncated \\u escape");
    CP = 0;
    for (int I = 0; I < 4; ++I) {
      char C = T[P++];
      CP <<= 4;
      if (C >= '0' && C <= '9')
        CP |= C - '0';
      else if (C >= 'a' && C <= 'f')
        CP |= C - 'a' + 10;
      else if (C >= 'A' && C <= 'F')
        CP |= C - 'A' + 10;
      else
        return error("invalid \\u escape");
    }
    return true;
  }

  bool parseString(std::string &S) {
    ++P; // Opening quote.
    size_t Start = P;
    while (true) {
      if (P >= T.size())
        return error("unterminated string");
      unsigned char C = T[P];
      if (C == '"')
        break;
      if (C < 0x20)
        return error("control character in string");
      if (C != '\\') {
        S += static_cast<char>(C);
        ++P;
        continue;
      }
      if (++P >= T.size())
        return error("unterminated string");
      char E = T[P++];
      switch (E) {
      case '"':
      case '\\':
      case '/':
        S += E;
        break;
      case 'b':
        S += '\b';
        break;
      case 'f':
        S += '\f';
        break;
      case 'n':
        S += '\n';
        break;
      case 'r':
        S += '\r';
        break;
      case 't':
        S += '\t';
        break;
      case 'u': {
        unsigned CP;
        if (!hex4(CP))
          return false;
        if (CP >= 0xD800 && CP <= 0xDBFF) {
          unsigned Lo;
          if (T.substr(P, 2) != "\\u")
            return error("unpaired surrogate in \\u escape");
          P += 2;
          if (!hex4(Lo))
            return false;
          if (Lo < 0xDC00 || Lo > 0xDFFF)
            return error("unpaired surrogate in \\u escape");
          CP = 0x10000 + ((CP - 0xD800) << 10) + (Lo - 0xDC00);
        } else if (CP >= 0xDC00 && CP <= 0xDFFF) {
          return error("unpaired surrogate in \\u escape");
        } else if (CP == 0) {
          // Every string is a path or a command-line argument, which
          // cannot hold a NUL (and one would end it early).
          return error("\\u0000 in a string (a path or argument cannot "
                       "contain a NUL character)");
        }
        appendUTF8(S, CP);
        break;
      }
      default:
        return error("invalid escape in string");
      }
    }
    ++P; // Closing quote.
    if (!isValidUTF8(S)) {
      P = Start;
      return error("string is not valid UTF-8");
    }
    return true;
  }

  bool parseArray(Value &V, unsigned Depth) {
    V.K = Value::Array;
    ++P;
    skipWS();
    if (P < T.size() && T[P] == ']') {
      ++P;
      return true;
    }
    while (true) {
      skipWS();
      V.Elems.emplace_back();
      if (!parseValue(V.Elems.back(), Depth + 1))
        return false;
      skipWS();
      if (P < T.size() && T[P] == ',') {
        ++P;
        continue;
      }
      if (P < T.size() && T[P] == ']') {
        ++P;
        return true;
      }
      return error("expected ',' or ']' in array");
    }
  }

  bool parseObject(Value &V, unsigned Depth) {
    V.K = Value::Object;
    ++P;
    skipWS();
    if (P < T.size() && T[P] == '}') {
      ++P;
      return true;
    }
    while (true) {
      skipWS();
      if (P >= T.size() || T[P] != '"')
        return error("expected a string key in object");
      std::string Key;
      if (!parseString(Key))
        return false;
      for (auto &M : V.Members)
        if (M.first == Key)
          return error("duplicate key in object");
      skipWS();
      if (P >= T.size() || T[P] != ':')
        return error("expected ':' after object key");
      ++P;
      skipWS();
      V.Members.emplace_back(std::move(Key), Value());
      if (!parseValue(V.Members.back().second, Depth + 1))
        return false;
      skipWS();
      if (P < T.size() && T[P] == ',') {
        ++P;
        continue;
      }
      if (P < T.size() && T[P] == '}') {
        ++P;
        return true;
      }
      return error("expected ',' or '}' in object");
    }
  }
};

// Schema checks. Each takes the key path for messages.
bool expectKeys(const Value &V, const std::string &Path,
                std::initializer_list<const char *> Keys, std::string &Err) {
  if (V.K != Value::Object) {
    Err = Path + ": expected an object";
    return false;
  }
  for (const char *K : Keys) {
    bool Found = false;
    for (auto &M : V.Members)
      Found |= M.first == K;
    if (!Found) {
      Err = Path + ": missing key '" + K + "'";
      return false;
    }
  }
  for (auto &M : V.Members) {
    bool Known = false;
    for (const char *K : Keys)
      Known |= M.first == K;
    if (!Known) {
      Err = Path + ": unknown key '" + M.first + "'";
      return false;
    }
  }
  return true;
}

const Value &member(const Value &V, const char *Key) {
  for (auto &M : V.Members)
    if (M.first == Key)
      return M.second;
  static const Value Missing;
  return Missing;
}

bool stringList(const Value &V, const std::string &Path, size_t Min,
                std::vector<std::string> &Out, std::string &Err) {
  if (V.K != Value::Array) {
    Err = Path + ": expected an array of strings";
    return false;
  }
  for (size_t I = 0; I < V.Elems.size(); ++I) {
    if (V.Elems[I].K != Value::String) {
      Err = Path + "[" + std::to_string(I) + "]: expected a string";
      return false;
    }
    Out.push_back(V.Elems[I].Str);
  }
  if (Out.size() < Min) {
    Err = Path + ": expected at least " + std::to_string(Min) +
          (Min == 1 ? " entry" : " entries");
    return false;
  }
  return true;
}

} // namespace

bool dtlto::parseJobFile(std::string_view Text, std::string_view Name,
                         JobFile &Out, std::string &Err) {
  std::string Prefix = std::string(Name) + ": ";
  Value Root;
  Parser P(Text);
  if (!P.parse(Root, Err)) {
    Err = Prefix + Err;
    return false;
  }
  Out = JobFile();
  std::string E;
  bool OK = expectKeys(Root, "<top level>", {"common", "jobs"}, E);
  if (OK) {
    const Value &C = member(Root, "common");
    OK = expectKeys(C, "common", {"linker_output", "args", "inputs"}, E);
    if (OK && member(C, "linker_output").K != Value::String) {
      E = "common.linker_output: expected a string";
      OK = false;
    }
    if (OK) {
      Out.LinkerOutput = member(C, "linker_output").Str;
      OK = stringList(member(C, "args"), "common.args", 1, Out.CommonArgs, E) &&
           stringList(member(C, "inputs"), "common.inputs", 0, Out.CommonInputs,
                      E);
    }
  }
  if (OK) {
    const Value &Jobs = member(Root, "jobs");
    if (Jobs.K != Value::Array) {
      E = "jobs: expected an array";
      OK = false;
    }
    for (size_t I = 0; OK && I < Jobs.Elems.size(); ++I) {
      std::string Path = "jobs[" + std::to_string(I) + "]";
      const Value &J = Jobs.Elems[I];
      Job NewJob;
      OK = expectKeys(J, Path, {"args", "inputs", "outputs"}, E) &&
           stringList(member(J, "args"), Path + ".args", 0, NewJob.Args, E) &&
           stringList(member(J, "inputs"), Path + ".inputs", 1, NewJob.Inputs,
                      E) &&
           stringList(member(J, "outputs"), Path + ".outputs", 1,
                      NewJob.Outputs, E);
      Out.Jobs.push_back(std::move(NewJob));
    }
  }
  if (!OK)
    Err = Prefix + "invalid DTLTO job file: " + E;
  return OK;
}

bool dtlto::readJobFile(const std::string &Path, JobFile &Out,
                        std::string &Err) {
  std::string Text;
  if (!readFile(Path, Text)) {
    Err = Path + ": cannot open job file: " + std::strerror(errno);
    return false;
  }
  return parseJobFile(Text, Path, Out, Err);
}

bool dtlto::readJobFileArg(int Argc, char **Argv, const char *Tool,
                           JobFile &Out) {
  if (Argc < 2) {
    std::fprintf(stderr, "usage: %s [args...] <job-file.json>\n", Tool);
    return false;
  }
  std::string Err;
  if (readJobFile(Argv[Argc - 1], Out, Err))
    return true;
  std::fprintf(stderr, "%s: error: %s\n", Tool, Err.c_str());
  return false;
}

// Lexical: "." and "a/.." are removed, leading ".." kept, "/" kept.
static std::string normalizePath(const std::string &P) {
  bool Abs = !P.empty() && P[0] == '/';
  std::vector<std::string> Parts;
  size_t I = 0;
  while (I <= P.size()) {
    size_t J = P.find('/', I);
    if (J == std::string::npos)
      J = P.size();
    std::string C = P.substr(I, J - I);
    if (C == "..") {
      if (!Parts.empty() && Parts.back() != "..")
        Parts.pop_back();
      else if (!Abs)
        Parts.push_back(C);
    } else if (!C.empty() && C != ".") {
      Parts.push_back(C);
    }
    I = J + 1;
  }
  std::string Out = Abs ? "/" : "";
  for (size_t K = 0; K < Parts.size(); ++K)
    Out += (K ? "/" : "") + Parts[K];
  return Out.empty() ? "." : Out;
}

static std::string directoryOf(const std::string &Path) {
  size_t Slash = Path.rfind('/');
  return normalizePath(
      Slash == std::string::npos ? "." : Path.substr(0, Slash ? Slash : 1));
}

// Is the normalized path \p N inside the normalized directory \p Dir?
static bool isInside(const std::string &N, const std::string &Dir) {
  if ((N[0] == '/') != (Dir[0] == '/'))
    return false; // Mixed forms: not provably inside, so refused.
  if (Dir == "." || Dir == "/")
    return N.compare(0, 3, "../") != 0 && N != "..";
  return N.size() > Dir.size() && N.compare(0, Dir.size(), Dir) == 0 &&
         N[Dir.size()] == '/';
}

bool dtlto::checkOutputPaths(const JobFile &F, const std::string &JobFilePath,
                             std::string &Err) {
  // Our linker may keep its files apart from the output (in memory, say),
  // always beside the job file.
  std::string Dir = directoryOf(F.LinkerOutput);
  std::string JobDir = directoryOf(JobFilePath);
  for (size_t I = 0; I < F.Jobs.size(); ++I)
    for (const std::string &Out : F.Jobs[I].Outputs) {
      std::string N = normalizePath(Out);
      if (!isInside(N, Dir) && !isInside(N, JobDir)) {
        Err = "job " + std::to_string(I) + " (module '" + F.moduleOf(I) +
              "'): output '" + Out +
              "' is outside the linker output's directory '" + Dir +
              "' and the job file's '" + JobDir +
              "'; refusing to write it (pass --allow-path-escape to allow)";
        return false;
      }
    }
  return true;
}
