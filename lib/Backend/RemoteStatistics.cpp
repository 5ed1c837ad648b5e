//===- RemoteStatistics.cpp - Backend jobs' statistics in the link's file -===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// In-process ThinLTO's backends count into the linker's own statistics
// (LLVM's counters are process-wide), so --plugin-opt=stats-file= holds the
// sums over the thin link and every backend. A remote backend counts in its
// own process: our worker writes its counters as a job output, and this
// file adds them up and, once LLVM has written the linker's file, adds them
// to it, in LLVM's layout (one "<group>.<name>": value per line, sorted by
// group and name, timers last).
//
//===----------------------------------------------------------------------===//

#include "RemoteStatistics.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"

#include <map>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

using namespace llvm;
using namespace dtlto;

namespace {

struct Pending {
  std::mutex Lock;
  std::string StatsFile;
  std::map<std::string, uint64_t> Counters;
};

Pending &pending() {
  static Pending P;
  return P;
}

Error badFile(StringRef Name, const Twine &Why) {
  return createStringError(inconvertibleErrorCode(),
                           "invalid statistics file '" + Name + "': " + Why);
}

/// The entries of LLVM's statistics JSON in file order: key and the value's
/// text. LLVM writes exactly one entry per line.
Expected<std::vector<std::pair<std::string, std::string>>>
parseEntries(StringRef Name, StringRef Text) {
  std::vector<std::pair<std::string, std::string>> Out;
  SmallVector<StringRef, 0> Lines;
  Text.split(Lines, '\n');
  for (StringRef Line : Lines) {
    Line = Line.trim();
    if (Line.empty() || Line == "{" || Line == "}")
      continue;
    Line.consume_back(",");
    auto [Key, Value] = Line.split(':');
    Key = Key.trim();
    Value = Value.trim();
    if (Key.size() < 2 || !Key.starts_with("\"") || !Key.ends_with("\"") ||
        Value.empty())
      return badFile(Name, "unexpected line '" + Line + "'");
    Out.push_back({Key.drop_front().drop_back().str(), Value.str()});
  }
  return Out;
}

} // namespace

Error dtlto::addRemoteStatistics(StringRef StatsFile, StringRef Name,
                                 StringRef Text) {
  auto Entries = parseEntries(Name, Text);
  if (!Entries)
    return Entries.takeError();
  std::vector<std::pair<std::string, uint64_t>> Counts;
  for (const auto &[Key, Value] : *Entries) {
    if (StringRef(Key).starts_with("time."))
      continue; // A job's timers are not the link's.
    uint64_t N;
    if (StringRef(Value).getAsInteger(10, N))
      return badFile(Name, "'" + Key + "' is not a count");
    Counts.push_back({Key, N});
  }
  Pending &P = pending();
  std::lock_guard<std::mutex> L(P.Lock);
  P.StatsFile = StatsFile.str();
  for (const auto &[Key, N] : Counts)
    P.Counters[Key] += N;
  return Error::success();
}

Error dtlto::mergeRemoteStatistics() {
  Pending &P = pending();
  std::lock_guard<std::mutex> L(P.Lock);
  if (P.StatsFile.empty())
    return Error::success();
  std::string File = std::move(P.StatsFile);
  std::map<std::string, uint64_t> Remote = std::move(P.Counters);
  P.StatsFile.clear();
  P.Counters.clear();

  ErrorOr<std::unique_ptr<MemoryBuffer>> MB = MemoryBuffer::getFile(File);
  if (!MB)
    return createStringError(MB.getError(),
                             "cannot read statistics file '" + File +
                                 "': " + MB.getError().message());
  auto Entries = parseEntries(File, (*MB)->getBuffer());
  if (!Entries)
    return Entries.takeError();
  // LLVM sorts counters by group, then name; timers follow.
  auto Order = [](StringRef A, StringRef B) {
    auto [GA, NA] = A.split('.');
    auto [GB, NB] = B.split('.');
    return std::make_pair(GA, NA) < std::make_pair(GB, NB);
  };
  std::map<std::string, std::string, decltype(Order)> Counters(Order);
  std::vector<std::pair<std::string, std::string>> Timers;
  for (auto &[Key, Value] : *Entries) {
    if (StringRef(Key).starts_with("time.")) {
      Timers.push_back({Key, Value});
      continue;
    }
    uint64_t N;
    if (StringRef(Value).getAsInteger(10, N))
      return badFile(File, "'" + Key + "' is not a count");
    auto It = Remote.find(Key);
    if (It != Remote.end()) {
      N += It->second;
      Remote.erase(It);
    }
    Counters[Key] = std::to_string(N);
  }
  for (const auto &[Key, N] : Remote)
    Counters[Key] = std::to_string(N);

  std::string Out = "{\n";
  const char *Delim = "";
  for (const auto &[Key, Value] : Counters) {
    Out += Delim;
    Out += "\t\"" + Key + "\": " + Value;
    Delim = ",\n";
  }
  for (const auto &[Key, Value] : Timers) {
    Out += Delim;
    Out += "\t\"" + Key + "\": " + Value;
    Delim = ",\n";
  }
  Out += "\n}\n";
  std::error_code EC;
  raw_fd_ostream OS(File, EC);
  if (!EC) {
    OS << Out;
    OS.close();
    EC = OS.error();
  }
  if (EC)
    return createStringError(EC, "cannot write statistics file '" + File +
                                     "': " + EC.message());
  return Error::success();
}
