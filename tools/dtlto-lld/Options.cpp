//===- Options.cpp - Design-era DTLTO option spellings --------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Before DTLTO landed in LLVM 21, build scripts used `-mllvm
// -thinlto-distributor-arg=`, `-mllvm -thinlto-remote-opt-tool-arg=` and
// `--thinlto-remote-opt-tool=`. lld 22 would pass the -mllvm ones to LLVM's
// option parser (which no longer knows them) and reject the last one; we
// rewrite them to the 22 options before lld sees the command line. We also
// accept `--thinlto-distributor X` and `--thinlto-remote-compiler X`, which
// lld 22 rejects although it takes the separate form of the -arg options.
//
//===----------------------------------------------------------------------===//

#include "Options.h"

#include "dtlto/Backend.h"

#include <cctype>
#include <cstdlib>
#include <string_view>

using namespace dtlto;

static bool sameIgnoringCase(std::string_view A, std::string_view B) {
  if (A.size() != B.size())
    return false;
  for (size_t I = 0; I < A.size(); ++I)
    if (std::tolower(static_cast<unsigned char>(A[I])) !=
        std::tolower(static_cast<unsigned char>(B[I])))
      return false;
  return true;
}

// Remove \p Prefix from the front of \p S. lld-link's option names ignore
// case (\p IgnoreCase); their values and ld.lld's names do not.
static bool consume(std::string_view &S, std::string_view Prefix,
                    bool IgnoreCase = false) {
  std::string_view Head = S.substr(0, Prefix.size());
  if (IgnoreCase ? !sameIgnoringCase(Head, Prefix) : Head != Prefix)
    return false;
  S.remove_prefix(Prefix.size());
  return true;
}

// Map an -mllvm value such as "-thinlto-distributor-arg=x" to the 22 option
// name (without dashes) and its value.
static bool legacyMllvm(std::string_view V, std::string &Name,
                        std::string &Value) {
  if (!consume(V, "--"))
    consume(V, "-");
  static const std::pair<std::string_view, std::string_view> Map[] = {
      {"thinlto-distributor-arg=", "thinlto-distributor-arg"},
      {"thinlto-remote-opt-tool-arg=", "thinlto-remote-compiler-arg"},
      {"thinlto-remote-compiler-arg=", "thinlto-remote-compiler-arg"},
      {"thinlto-remote-opt-tool=", "thinlto-remote-compiler"},
      {"thinlto-distributor=", "thinlto-distributor"},
  };
  for (auto &[Prefix, NewName] : Map)
    if (consume(V, Prefix)) {
      Name = NewName;
      Value = std::string(V);
      return true;
    }
  return false;
}

std::vector<std::string>
dtlto::translateLegacyOptions(std::vector<std::string> Args, bool COFF) {
  std::vector<std::string> Out;
  auto Emit = [&](const std::string &Name, const std::string &Value) {
    Out.push_back(COFF ? "/" + Name + ":" + Value : "--" + Name + "=" + Value);
  };
  std::string Name, Value;
  for (size_t I = 0; I < Args.size(); ++I) {
    std::string_view A = Args[I];
    if (I == 0) {
      Out.push_back(Args[I]);
      continue;
    }
    if (!COFF) {
      std::string_view V = A;
      // -mllvm X, -mllvm=X, --mllvm X, --mllvm=X.
      if (consume(V, "-mllvm") || consume(V, "--mllvm")) {
        if (V.empty() && I + 1 < Args.size() &&
            legacyMllvm(Args[I + 1], Name, Value)) {
          Emit(Name, Value);
          ++I;
          continue;
        }
        if (consume(V, "=") && legacyMllvm(V, Name, Value)) {
          Emit(Name, Value);
          continue;
        }
      }
      // lld 22 accepts only the joined form of these two; take the separate
      // form as well, like every other lld option with a value.
      if ((A == "--thinlto-distributor" || A == "-thinlto-distributor" ||
           A == "--thinlto-remote-compiler" ||
           A == "-thinlto-remote-compiler") &&
          I + 1 < Args.size()) {
        Emit(std::string(A.substr(A[1] == '-' ? 2 : 1)), Args[++I]);
        continue;
      }
      V = A;
      if (consume(V, "--thinlto-remote-opt-tool") ||
          consume(V, "-thinlto-remote-opt-tool")) {
        if (consume(V, "=")) {
          Emit("thinlto-remote-compiler", std::string(V));
          continue;
        }
        if (V.empty() && I + 1 < Args.size()) {
          Emit("thinlto-remote-compiler", Args[++I]);
          continue;
        }
      }
    } else {
      std::string_view V = A;
      if ((consume(V, "/mllvm:", true) || consume(V, "-mllvm:", true)) &&
          legacyMllvm(V, Name, Value)) {
        Emit(Name, Value);
        continue;
      }
      V = A;
      if (consume(V, "/thinlto-remote-opt-tool:", true) ||
          consume(V, "-thinlto-remote-opt-tool:", true)) {
        Emit("thinlto-remote-compiler", std::string(V));
        continue;
      }
    }
    Out.push_back(Args[I]);
  }
  return Out;
}

// lld's DTLTO and cache options (kept for lld), noted for what the backend
// decides before lld starts (dtlto::startEarlyServer): \p V is the option
// without its dashes; a separate value is Args[I + 1]. The last one wins,
// as in lld.
static void noteLinkOption(std::string_view V,
                           const std::vector<std::string> &Args, size_t I,
                           bool COFF, BackendOptions &Opts) {
  auto Value = [&](std::string_view Name, std::string &Out) {
    std::string_view Rest = V;
    if (!consume(Rest, Name, COFF))
      return false;
    if (consume(Rest, COFF ? ":" : "="))
      Out = Rest;
    else if (Rest.empty() && !COFF && I + 1 < Args.size())
      Out = Args[I + 1];
    else
      return false;
    return true;
  };
  std::string Val;
  if (Value("thinlto-distributor-arg", Val))
    Opts.DistributorArgs.push_back(Val);
  else if (Value("thinlto-distributor", Val))
    Opts.Distributor = Val;
  else if (Value("thinlto-remote-compiler-prepend-arg", Val))
    Opts.HasPrependArgs = true;
  else if (Value("thinlto-remote-compiler", Val))
    Opts.RemoteCompiler = Val;
  else if (COFF ? Value("lldltocache", Val)
                : Value("thinlto-cache-dir", Val) ||
                      Value("plugin-opt=cache-dir", Val))
    Opts.HasCache = !Val.empty();
}

// Our own options, which lld does not know: --thinlto-distributor-fallback,
// --thinlto-distributor-timeout=<seconds>, --thinlto-temp-dir=<dir> and
// --[no-]thinlto-remote-mllvm (/thinlto-distributor-fallback,
// /thinlto-distributor-timeout:<seconds>, /thinlto-temp-dir:<dir> and
// /thinlto-remote-mllvm[:no] for lld-link). -plugin-opt=-<option> (or
// -plugin-opt -<option>, which lld joins) is noted and kept for lld.
bool dtlto::takeOwnOptions(std::vector<std::string> &Args, bool COFF,
                           std::string &Err) {
  BackendOptions &Opts = backendOptions();
  std::vector<std::string> Out;
  auto Is = [&](std::string_view V, std::string_view Name) {
    return COFF ? sameIgnoringCase(V, Name) : V == Name;
  };
  for (size_t I = 0; I < Args.size(); ++I) {
    std::string_view V = Args[I];
    bool Dash = I > 0 && (COFF ? consume(V, "/") || consume(V, "-")
                               : consume(V, "--") || consume(V, "-"));
    if (!Dash) {
      Out.push_back(Args[I]);
      continue;
    }
    noteLinkOption(V, Args, I, COFF, Opts);
    if (Is(V, "thinlto-distributor-fallback")) {
      Opts.Fallback = true;
      continue;
    }
    if (COFF ? Is(V, "thinlto-remote-mllvm:no")
             : Is(V, "no-thinlto-remote-mllvm")) {
      Opts.ForwardMllvm = false;
      continue;
    }
    if (Is(V, "thinlto-remote-mllvm") ||
        (COFF && Is(V, "thinlto-remote-mllvm:yes"))) {
      Opts.ForwardMllvm = true;
      continue;
    }
    // lld joins "-plugin-opt X" into "-plugin-opt=X" before parsing.
    if (!COFF && V == "plugin-opt" && I + 1 < Args.size()) {
      Args[I + 1] = "--plugin-opt=" + Args[I + 1];
      continue;
    }
    // Options lld parses too, so they stay in Args: an explicit codegen
    // level, and -plugin-opt=-<option>, which lld parses into LLVM's
    // options but leaves out of lto::Config::MllvmArgs.
    std::string_view Name = V;
    if (COFF ? consume(Name, "opt:lldltocgo=", true)
             : consume(Name, "lto-CGO") || consume(Name, "plugin-opt=cgo="))
      Opts.ExplicitCGOptLevel = true;
    Name = V;
    if (!COFF && consume(Name, "plugin-opt=") && !Name.empty() &&
        Name[0] == '-')
      Opts.PluginOptions.emplace_back(Name);
    Name = V;
    if (consume(Name, "thinlto-temp-dir", COFF)) {
      if (consume(Name, COFF ? ":" : "=")) {
        Opts.TempDir = Name;
      } else if (Name.empty() && !COFF && I + 1 < Args.size()) {
        Opts.TempDir = Args[++I];
      } else {
        Out.push_back(Args[I]);
        continue;
      }
      if (Opts.TempDir.empty()) {
        Err = "invalid --thinlto-temp-dir: expected a directory";
        return false;
      }
      continue;
    }
    if (consume(Name, "thinlto-distributor-timeout", COFF)) {
      std::string Value;
      if (consume(Name, COFF ? ":" : "="))
        Value = Name;
      else if (Name.empty() && !COFF && I + 1 < Args.size())
        Value = Args[++I];
      else {
        Out.push_back(Args[I]);
        continue;
      }
      char *End = nullptr;
      unsigned long N = std::strtoul(Value.c_str(), &End, 10);
      if (Value.empty() || *End || Value[0] == '-' || N > 86400 * 7) {
        Err = "invalid --thinlto-distributor-timeout: '" + Value +
              "' (expected a number of seconds)";
        return false;
      }
      Opts.DistributorTimeout = static_cast<unsigned>(N);
      continue;
    }
    Out.push_back(Args[I]);
  }
  Args = std::move(Out);
  return true;
}
