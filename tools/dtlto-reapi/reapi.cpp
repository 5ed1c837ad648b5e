//===- reapi.cpp - dtlto-reapi, the Remote Execution API distributor ------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// Runs the jobs of an upstream-schema DTLTO job file on a build farm that
// speaks Bazel's Remote Execution API v2 (Buildbarn, BuildBuddy, EngFlow,
// NativeLink, BuildGrid, Google's RBE):
//
//   1. GetCapabilities, within a bounded time;
//   2. every job becomes an action (Actions.cpp), each input file read and
//      hashed once;
//   3. one FindMissingBlobs for the whole link, then the missing blobs are
//      uploaded (batches, or ByteStream for large ones);
//   4. the shared scheduler (dtlto/Scheduler.h: order, -j slots, retries,
//      timeouts, judgement, progress, --report) runs the attempts through
//      RemoteExecutor.cpp: action cache first, then Execute.
//
// Exit status: 0 all jobs succeeded, 1 a job failed, 2 usage, job-file or
// input error, 3 the farm cannot be reached or used, 128+N interrupted by
// signal N.
//
//===----------------------------------------------------------------------===//

#include "Actions.h"
#include "Remote.h"
#include "RemoteExecutor.h"

#include "dtlto/Files.h"
#include "dtlto/JobFile.h"
#include "dtlto/Scheduler.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <set>

using namespace dtlto;

static const char *Prog = "dtlto-reapi";

static void usage() {
  std::fprintf(
      stderr,
      "usage: %s [options] <job-file.json>\n"
      "Runs the backend jobs of a DTLTO job file on a Remote Execution API "
      "v2 farm.\n"
      "  --remote=grpc://HOST:PORT | grpcs://HOST:PORT   the farm (required)\n"
      "  --remote-instance=NAME   the instance name (default: none)\n"
      "  --tls-ca=F --tls-cert=F --tls-key=F   TLS (grpcs): CA and client "
      "certificate\n"
      "  --remote-header=NAME:VALUE   a header on every call (repeatable)\n"
      "  --remote-header-file=F   headers from F, one NAME:VALUE a line (keeps "
      "tokens\n"
      "                        out of the process list)\n"
      "  --platform=KEY=VALUE   a platform property of the actions "
      "(repeatable)\n"
      "  --remote-compiler=PATH   the compiler's path on the workers (default: "
      "as here)\n"
      "  -j N, --jobs=N         actions in flight (default 200)\n"
      "  --retries=N            run a failing job up to N more times "
      "(default 0)\n"
      "  --timeout=SECONDS      a job may take this long (default 3600; "
      "when given,\n"
      "                         also the action's timeout)\n"
      "  --connect-timeout=S    give up on the farm after S seconds "
      "(default 20)\n"
      "  --insecure             allow grpc:// off loopback (plaintext)\n"
      "  --report=FILE          per-job JSON (cached, queue and execution "
      "times, bytes)\n"
      "  --trace=FILE           a Chrome trace of the jobs\n"
      "  --allow-path-escape    write outputs outside the linker output's "
      "directory\n"
      "  --print-capabilities   only check that the farm can be used (no "
      "job file)\n"
      "  -v, --verbose          print a summary line\n",
      Prog);
}

static bool parseHeader(const std::string &Line, RemoteOptions &O,
                        std::string &Err) {
  size_t Colon = Line.find(':');
  if (Colon == std::string::npos || Colon == 0) {
    // Not echoed: the line may hold a token.
    Err = "invalid header: expected NAME:VALUE";
    return false;
  }
  std::string Name = Line.substr(0, Colon), Value = Line.substr(Colon + 1);
  for (char &C : Name)
    C = static_cast<char>(std::tolower(static_cast<unsigned char>(C)));
  while (!Value.empty() && Value[0] == ' ')
    Value.erase(0, 1);
  O.Headers.push_back({Name, Value});
  return true;
}

int main(int Argc, char **Argv) {
  std::vector<std::string> Args(Argv + 1, Argv + Argc);
  if (Args.empty()) {
    usage();
    return 2;
  }
  if (Args.size() == 1 && (Args[0] == "-h" || Args[0] == "--help")) {
    usage();
    return 0;
  }
  // --print-capabilities: only ask the farm (no job file).
  bool OnlyCapabilities = false;
  for (const std::string &A : Args)
    OnlyCapabilities |= A == "--print-capabilities";
  if (OnlyCapabilities)
    Args.push_back("");
  RemoteOptions RO;
  ActionOptions AO;
  SchedulerOptions SO;
  // A farm that never answers must not hang the build: an hour per job
  // unless told otherwise (not sent as the action's timeout, which is part
  // of its cache key, unless given).
  SO.Timeout = 3600;
  SO.Jobs = 200;
  SO.MaxJobs = 100000;
  SO.UseJobserver = false; // Remote slots take no local cores.
  std::string JobPath = Args.back(), Err;
  Args.pop_back();
  for (size_t I = 0; I < Args.size(); ++I) {
    int Taken = parseSchedulerOption(Prog, Args, I, SO);
    if (Taken < 0)
      return 2;
    if (Taken) {
      if (Args[I].rfind("--timeout=", 0) == 0)
        AO.Timeout = SO.Timeout; // Given: the action's timeout too.
      continue;
    }
    std::string A = Args[I], V;
    double N;
    auto Value = [&](const char *Prefix) {
      size_t L = std::strlen(Prefix);
      if (A.compare(0, L, Prefix) != 0)
        return false;
      V = A.substr(L);
      return true;
    };
    auto Bad = [&](const char *What) {
      std::fprintf(stderr, "%s: error: invalid %s '%s'\n", Prog, What,
                   V.c_str());
      return 2;
    };
    if (A == "-h" || A == "--help") {
      usage();
      return 0;
    } else if (A == "--insecure") {
      RO.Insecure = true;
    } else if (A == "--print-capabilities") {
    } else if (Value("--remote=")) {
      RO.Endpoint = V;
    } else if (Value("--remote-instance=")) {
      RO.Instance = V;
    } else if (Value("--tls-ca=")) {
      RO.CAFile = V;
    } else if (Value("--tls-cert=")) {
      RO.CertFile = V;
    } else if (Value("--tls-key=")) {
      RO.KeyFile = V;
    } else if (Value("--remote-header=")) {
      if (!parseHeader(V, RO, Err)) {
        std::fprintf(stderr, "%s: error: %s\n", Prog, Err.c_str());
        return 2;
      }
    } else if (Value("--remote-header-file=")) {
      std::string Text;
      if (!readFile(V, Text)) {
        std::fprintf(stderr, "%s: error: cannot read header file '%s': %s\n",
                     Prog, V.c_str(), std::strerror(errno));
        return 2;
      }
      size_t Start = 0;
      unsigned LineNo = 0;
      while (Start < Text.size()) {
        size_t End = Text.find('\n', Start);
        std::string Line = Text.substr(Start, End - Start);
        Start = End == std::string::npos ? Text.size() : End + 1;
        ++LineNo;
        if (!Line.empty() && Line.back() == '\r')
          Line.pop_back();
        if (Line.empty() || Line[0] == '#')
          continue;
        if (!parseHeader(Line, RO, Err)) {
          std::fprintf(stderr, "%s: error: %s:%u: %s\n", Prog, V.c_str(),
                       LineNo, Err.c_str());
          return 2;
        }
      }
    } else if (Value("--platform=")) {
      size_t Eq = V.find('=');
      if (Eq == std::string::npos || Eq == 0)
        return Bad("platform property (expected KEY=VALUE)");
      AO.Platform.push_back({V.substr(0, Eq), V.substr(Eq + 1)});
    } else if (Value("--remote-compiler=")) {
      AO.RemoteCompiler = V;
    } else if (Value("--connect-timeout=")) {
      if (!parseNumber(V, 3600, N) || N <= 0)
        return Bad("connect timeout");
      RO.ConnectTimeout = N;
    } else {
      std::fprintf(stderr, "%s: error: unknown option '%s'\n", Prog, A.c_str());
      usage();
      return 2;
    }
  }
  if (RO.Endpoint.empty()) {
    std::fprintf(stderr,
                 "%s: error: no farm: give --remote=grpc://HOST:PORT or "
                 "grpcs://HOST:PORT\n",
                 Prog);
    return 2;
  }

  if (OnlyCapabilities) {
    Remote R;
    if (!R.open(RO, Err) || !R.checkCapabilities(Err)) {
      std::fprintf(stderr, "%s: error: %s\n", Prog, Err.c_str());
      return 3;
    }
    std::printf("%s: SHA256, remote execution enabled\n", RO.Endpoint.c_str());
    return 0;
  }
  JobFile F;
  if (!loadJobFile(Prog, JobPath, SO, F))
    return 2;
  // Everything local first: a bad input fails before the farm is asked.
  ActionSet Set;
  if (!buildActions(F, AO, Set, Err)) {
    std::fprintf(stderr, "%s: error: %s\n", Prog, Err.c_str());
    return 2;
  }
  if (F.Jobs.empty())
    return 0;

  Remote R;
  if (!R.open(RO, Err)) {
    std::fprintf(stderr, "%s: error: %s\n", Prog, Err.c_str());
    return 2;
  }
  if (!R.checkCapabilities(Err)) {
    std::fprintf(stderr, "%s: error: %s\n", Prog, Err.c_str());
    return 3;
  }
  // The action cache for every job at once; then one FindMissingBlobs for
  // the inputs of the jobs that may run, and only what the farm lacks.
  CacheProbe Probe = probeActionCache(R, F, Set);
  std::set<std::string> Keys;
  for (size_t I = 0; I < Set.Jobs.size(); ++I)
    if (Probe.mayExecute(I))
      Keys.insert(Set.Jobs[I].BlobKeys.begin(), Set.Jobs[I].BlobKeys.end());
  std::vector<rex::Digest> All, Missing;
  for (const std::string &Key : Keys)
    All.push_back(Set.Blobs[Key].Digest);
  std::vector<const Blob *> ToSend;
  if (!All.empty() && !R.findMissing(All, Missing, Err)) {
    std::fprintf(stderr, "%s: error: %s: %s\n", Prog, R.endpoint().c_str(),
                 Err.c_str());
    return 3;
  }
  std::set<std::string> Unsent;
  for (const rex::Digest &D : Missing) {
    auto It = Set.Blobs.find(digestKey(D));
    if (It != Set.Blobs.end() && Unsent.insert(It->first).second)
      ToSend.push_back(&It->second);
  }
  for (size_t I = 0; I < Set.Jobs.size(); ++I)
    if (Probe.mayExecute(I))
      for (const std::string &Key : Set.Jobs[I].BlobKeys)
        if (Unsent.erase(Key))
          Set.Jobs[I].BytesUploaded += Set.Blobs[Key].Digest.size_bytes();
  if (!R.upload(ToSend, Err)) {
    std::fprintf(stderr, "%s: error: %s: %s\n", Prog, R.endpoint().c_str(),
                 Err.c_str());
    return 3;
  }
  std::unique_ptr<Executor> E =
      createRemoteExecutor(R, F, Set, std::move(Probe), SO.Verbose);
  return runJobs(Prog, F, *E, SO);
}
