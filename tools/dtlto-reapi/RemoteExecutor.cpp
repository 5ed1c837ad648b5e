//===- RemoteExecutor.cpp - Attempts as REAPI actions ---------------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// One thread per attempt (the scheduler bounds them with -j): blocking gRPC
// calls, results handed to the scheduler's thread through a queue and a
// self-pipe that its poll() watches.
//
//===----------------------------------------------------------------------===//

#include "RemoteExecutor.h"

#include "dtlto/ObjectCheck.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <mutex>
#include <poll.h>
#include <thread>
#include <unistd.h>

using namespace dtlto;

namespace {

double seconds(const google::protobuf::Timestamp &T) {
  return T.seconds() + T.nanos() / 1e9;
}

std::string number(double V) {
  char Buf[32];
  std::snprintf(Buf, sizeof(Buf), "%.6f", V);
  return Buf;
}

// The blobs of \p AR's outputs and printed text that are not inline.
static std::vector<rex::Digest> blobsToFetch(const rex::ActionResult &AR) {
  std::vector<rex::Digest> Need;
  for (const rex::OutputFile &O : AR.output_files())
    if (O.contents().size() != size_t(O.digest().size_bytes()))
      Need.push_back(O.digest());
  if (AR.stderr_raw().empty() && AR.has_stderr_digest())
    Need.push_back(AR.stderr_digest());
  if (AR.stdout_raw().empty() && AR.has_stdout_digest())
    Need.push_back(AR.stdout_digest());
  return Need;
}

// \p AR as an attempt's result for job \p JA: its printed text, its outputs
// (\p Bytes, and their heads for the judgement), from \p AR or \p Got (the
// fetched blobs). Returns the bytes \p AR brought from the farm.
static uint64_t resultOf(const rex::ActionResult &AR, const JobAction &JA,
                         std::map<std::string, std::string> &Got,
                         AttemptResult &Out, std::vector<std::string> &Bytes) {
  uint64_t Down = AR.stdout_raw().size() + AR.stderr_raw().size();
  for (const rex::Digest &D : blobsToFetch(AR))
    Down += D.size_bytes();
  for (const rex::OutputFile &O : AR.output_files())
    Down += O.contents().size();
  auto Text = [&](const std::string &Raw, bool Has, const rex::Digest &D) {
    return !Raw.empty() || !Has ? Raw : Got[digestKey(D)];
  };
  Out.End.Output =
      Text(AR.stdout_raw(), AR.has_stdout_digest(), AR.stdout_digest()) +
      Text(AR.stderr_raw(), AR.has_stderr_digest(), AR.stderr_digest());
  Out.Outputs.clear();
  Bytes.clear();
  for (const auto &[RemotePath, LocalPath] : JA.Outputs) {
    JobOutput O;
    O.Name = LocalPath;
    std::string Data;
    for (const rex::OutputFile &File : AR.output_files())
      if (File.path() == RemotePath) {
        O.Present = true;
        Data = File.contents().size() == size_t(File.digest().size_bytes())
                   ? File.contents()
                   : Got[digestKey(File.digest())];
      }
    O.Head = Data.substr(0, 64);
    O.Size = Data.size();
    Out.Outputs.push_back(O);
    Bytes.push_back(std::move(Data));
  }
  Out.HasOutputs = true;
  Out.End.Succeeded = AR.exit_code() == 0;
  Out.End.How = "exited with status " + std::to_string(AR.exit_code());
  return Down;
}

// What --report says of an attempt beyond the scheduler's fields.
static std::string reportExtra(const rex::ActionResult &AR, bool Cached,
                               uint64_t Up, uint64_t Down) {
  const rex::ExecutedActionMetadata &M = AR.execution_metadata();
  std::string X = std::string(",\"cached\":") + (Cached ? "true" : "false") +
                  ",\"bytes_uploaded\":" + std::to_string(Up) +
                  ",\"bytes_downloaded\":" + std::to_string(Down);
  auto Span = [&](const char *Name, const google::protobuf::Timestamp &From,
                  const google::protobuf::Timestamp &To) {
    X +=
        std::string(",\"") + Name + "\":" + number(seconds(To) - seconds(From));
  };
  if (M.has_queued_timestamp() && M.has_worker_start_timestamp())
    Span("queued_s", M.queued_timestamp(), M.worker_start_timestamp());
  if (M.has_queued_timestamp() && M.has_worker_completed_timestamp())
    Span("farm_s", M.queued_timestamp(), M.worker_completed_timestamp());
  if (M.has_execution_start_timestamp() &&
      M.has_execution_completed_timestamp())
    Span("execution_s", M.execution_start_timestamp(),
         M.execution_completed_timestamp());
  if (!M.worker().empty()) {
    X += ",\"worker\":";
    appendJSONString(X, M.worker());
  }
  return X;
}

/// One attempt's shared state, between its thread and the scheduler's.
struct Attempt {
  std::mutex Mu;
  grpc::ClientContext *Call = nullptr; // The call under way, if any.
  bool Cancelled = false;
  bool Finished = false;
  std::thread Thread;
};

class RemoteExecutor : public Executor {
public:
  RemoteExecutor(Remote &R, const JobFile &F, const ActionSet &Set,
                 CacheProbe Probe, bool Verbose)
      : R(R), F(F), Set(Set), Probe(std::move(Probe)), Verbose(Verbose),
        Triple(F.target()), Assembly(F.emitsAssembly()),
        Outputs(F.Jobs.size()) {
    if (::pipe2(Wake, O_CLOEXEC | O_NONBLOCK))
      Wake[0] = Wake[1] = -1;
    Rejected = this->Probe.Rejected;
  }
  ~RemoteExecutor() override {
    stopAll();
    ::close(Wake[0]);
    ::close(Wake[1]);
  }

  bool start(size_t I, std::string &Why) override;
  void wait(int TimeoutMs, const std::vector<int> &WakeFds,
            std::vector<AttemptResult> &Ended) override;
  void cancel(size_t I) override;
  bool keep(size_t I, std::string &Why) override;
  void discard(size_t I) override { Outputs[I].clear(); }
  void stopAll() override;
  void finish() override;
  std::string summary() const override;

private:
  void run(size_t I, std::shared_ptr<Attempt> A, CacheProbe::State Verdict);
  bool collect(const rex::ActionResult &AR, size_t I, AttemptResult &Out,
               std::vector<std::string> &Bytes, uint64_t &Down,
               std::string &Err);
  void reapFinished();

  Remote &R;
  const JobFile &F;
  const ActionSet &Set;
  CacheProbe Probe; // The scheduler thread's.
  bool Verbose;
  std::string Triple;
  bool Assembly;
  int Wake[2];
  std::mutex Mu; // Guards what follows.
  std::vector<AttemptResult> Done;
  std::map<size_t, std::shared_ptr<Attempt>> Running;
  std::vector<std::shared_ptr<Attempt>> Ending;  // Cancelled, still running.
  std::vector<std::vector<std::string>> Outputs; // Bytes, until kept.
  unsigned Executed = 0, Cached = 0, Rejected = 0;
};

bool RemoteExecutor::start(size_t I, std::string &Why) {
  // The probe's verdict holds for the first attempt; a retry asks again.
  CacheProbe::State Verdict = Probe.Verdict[I];
  Probe.Verdict[I] = CacheProbe::NotAsked;
  if (Verdict == CacheProbe::GoodHit) {
    // Fetched and judged by the probe: ends now, no thread, no call.
    std::lock_guard<std::mutex> L(Mu);
    ++Cached;
    Outputs[I] = std::move(Probe.Bytes[I]);
    Done.push_back(std::move(Probe.Results[I]));
    char C = 0;
    (void)!::write(Wake[1], &C, 1);
    return true;
  }
  auto A = std::make_shared<Attempt>();
  std::lock_guard<std::mutex> L(Mu);
  Running[I] = A;
  A->Thread = std::thread([this, I, A, Verdict] { run(I, A, Verdict); });
  return true;
}

bool RemoteExecutor::collect(const rex::ActionResult &AR, size_t I,
                             AttemptResult &Out,
                             std::vector<std::string> &Bytes, uint64_t &Down,
                             std::string &Err) {
  std::map<std::string, std::string> Got;
  if (!R.download(blobsToFetch(AR), Got, Err))
    return false;
  Down += resultOf(AR, Set.Jobs[I], Got, Out, Bytes);
  return true;
}

void RemoteExecutor::run(size_t I, std::shared_ptr<Attempt> A,
                         CacheProbe::State Verdict) {
  const JobAction &JA = Set.Jobs[I];
  AttemptResult Out;
  Out.Job = I;
  std::vector<std::string> Bytes;
  std::string Err;
  uint64_t Down = 0;
  bool WasCached = false, Skip = false;
  rex::ActionResult AR;
  std::vector<std::string> Inline;
  for (const auto &[RemotePath, Local] : JA.Outputs)
    Inline.push_back(RemotePath);

  auto Good = [&]() {
    return judgeJob(Out.End, Out.Outputs, Triple, Assembly).empty();
  };
  auto SetCall = [&](grpc::ClientContext *C) {
    std::lock_guard<std::mutex> L(A->Mu);
    A->Call = C;
    if (C && A->Cancelled)
      C->TryCancel();
  };

  // The action cache first: a hit costs no execution. (Not again when the
  // link's probe asked it: then it missed, or held a bad result.)
  bool Have = false;
  if (Verdict == CacheProbe::BadHit)
    Skip = true;
  else if (Verdict == CacheProbe::NotAsked)
    Have = R.getActionResult(JA.Action, Inline, AR, Err) &&
           collect(AR, I, Out, Bytes, Down, Err);
  if (Have && !Good()) {
    Have = false; // A bad result in the cache is never used.
    Skip = true;
    std::lock_guard<std::mutex> L(Mu);
    ++Rejected;
  }
  WasCached = Have;
  for (unsigned Try = 0; !Have && Try < 4; ++Try) {
    rex::ExecuteResponse Resp;
    if (!R.execute(JA.Action, Skip, Resp, Err, SetCall)) {
      Out.End = {false, "could not run on the farm: " + Err, ""};
      Out.Outputs.clear();
      break;
    }
    auto Code = static_cast<grpc::StatusCode>(Resp.status().code());
    if (Code != grpc::StatusCode::OK && isTransient(Code) && Try + 1 < 4)
      continue; // A worker was lost: run it again.
    if (Code != grpc::StatusCode::OK && !Resp.has_result()) {
      Out.End = {false,
                 "failed on the farm: " +
                     describe(grpc::Status(Code, Resp.status().message())),
                 Resp.message()};
      Out.Outputs.clear();
      break;
    }
    AR = Resp.result();
    if (!collect(AR, I, Out, Bytes, Down, Err)) {
      Out.End = {false, "its result could not be fetched: " + Err, ""};
      Out.Outputs.clear();
      break;
    }
    if (Code != grpc::StatusCode::OK) { // E.g. DEADLINE_EXCEEDED, with logs.
      Out.End.Succeeded = false;
      Out.End.How = "failed on the farm: " +
                    describe(grpc::Status(Code, Resp.status().message()));
    }
    WasCached = Resp.cached_result();
    if (WasCached && !Good()) {
      Skip = true; // From the cache again: run it for real.
      std::lock_guard<std::mutex> L(Mu);
      ++Rejected;
      continue;
    }
    Have = true;
  }

  Out.ReportExtra = reportExtra(AR, WasCached, Set.Jobs[I].BytesUploaded, Down);

  std::lock_guard<std::mutex> L(Mu);
  {
    std::lock_guard<std::mutex> AL(A->Mu);
    A->Finished = true;
    if (A->Cancelled)
      return;
  }
  if (Have)
    ++(WasCached ? Cached : Executed);
  Outputs[I] = std::move(Bytes);
  Done.push_back(std::move(Out));
  char C = 0;
  (void)!::write(Wake[1], &C, 1);
}

void RemoteExecutor::reapFinished() {
  // Called with Mu held.
  for (auto It = Ending.begin(); It != Ending.end();) {
    bool Finished;
    {
      std::lock_guard<std::mutex> L((*It)->Mu);
      Finished = (*It)->Finished;
    }
    if (!Finished) {
      ++It;
      continue;
    }
    (*It)->Thread.join();
    It = Ending.erase(It);
  }
}

void RemoteExecutor::wait(int TimeoutMs, const std::vector<int> &WakeFds,
                          std::vector<AttemptResult> &Ended) {
  {
    std::lock_guard<std::mutex> L(Mu);
    if (Done.empty()) {
      std::vector<pollfd> Fds = {{Wake[0], POLLIN, 0}};
      for (int Fd : WakeFds)
        Fds.push_back({Fd, POLLIN, 0});
      Mu.unlock();
      ::poll(Fds.data(), Fds.size(), TimeoutMs);
      Mu.lock();
    }
    char Drain[64];
    while (::read(Wake[0], Drain, sizeof(Drain)) > 0) {
    }
    for (AttemptResult &A : Done) {
      auto It = Running.find(A.Job);
      if (It != Running.end()) {
        It->second->Thread.join();
        Running.erase(It);
      }
      Ended.push_back(std::move(A));
    }
    Done.clear();
    reapFinished();
  }
}

void RemoteExecutor::cancel(size_t I) {
  std::lock_guard<std::mutex> L(Mu);
  auto It = Running.find(I);
  if (It == Running.end())
    return;
  {
    std::lock_guard<std::mutex> AL(It->second->Mu);
    It->second->Cancelled = true;
    if (It->second->Call)
      It->second->Call->TryCancel();
  }
  Ending.push_back(It->second);
  Running.erase(It);
}

bool RemoteExecutor::keep(size_t I, std::string &Why) {
  const JobAction &JA = Set.Jobs[I];
  for (size_t K = 0; K < JA.Outputs.size(); ++K) {
    const std::string &Path = JA.Outputs[K].second;
    std::string Tmp =
        Path + ".dtlto-reapi-" + std::to_string(::getpid()) + ".tmp";
    int Flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC;
    int Fd = ::open(Tmp.c_str(), Flags, 0666);
    if (Fd < 0 && errno == EEXIST) { // Left by a killed run with our pid.
      ::unlink(Tmp.c_str());
      Fd = ::open(Tmp.c_str(), Flags, 0666);
    }
    const std::string &Data = Outputs[I][K];
    bool OK = Fd >= 0;
    for (size_t At = 0; OK && At < Data.size();) {
      ssize_t N = ::write(Fd, Data.data() + At, Data.size() - At);
      if (N < 0 && errno == EINTR)
        continue;
      OK = N > 0;
      At += N > 0 ? N : 0;
    }
    int Saved = errno;
    if (Fd >= 0 && ::close(Fd) != 0 && OK) {
      OK = false;
      Saved = errno;
    }
    if (OK && ::rename(Tmp.c_str(), Path.c_str()) != 0) {
      OK = false;
      Saved = errno;
    }
    if (!OK) {
      ::unlink(Tmp.c_str());
      Why = "cannot write output '" + Path + "': " + std::strerror(Saved);
      return false;
    }
  }
  Outputs[I].clear();
  return true;
}

void RemoteExecutor::stopAll() {
  std::vector<size_t> Jobs;
  {
    std::lock_guard<std::mutex> L(Mu);
    for (const auto &[Job, A] : Running)
      Jobs.push_back(Job);
  }
  for (size_t I : Jobs)
    cancel(I);
  std::vector<std::shared_ptr<Attempt>> Left;
  {
    std::lock_guard<std::mutex> L(Mu);
    Left.swap(Ending);
  }
  for (auto &A : Left)
    if (A->Thread.joinable())
      A->Thread.join();
}

void RemoteExecutor::finish() {
  stopAll();
  // On a terminal, one line of what happened (with -v, the scheduler's
  // summary line says it).
  if (!Verbose && ::isatty(2))
    std::fprintf(stderr, "dtlto-reapi: %s\n", summary().c_str() + 2);
}

std::string RemoteExecutor::summary() const {
  char Buf[256];
  std::snprintf(Buf, sizeof(Buf),
                ", %zu jobs: %u executed, %u cached%s, %.1f MB up, %.1f MB "
                "down",
                F.Jobs.size(), Executed, Cached,
                Rejected ? (", " + std::to_string(Rejected) +
                            " bad cached result(s) rejected")
                               .c_str()
                         : "",
                R.bytesUp() / 1e6, R.bytesDown() / 1e6);
  return Buf;
}

} // namespace

std::unique_ptr<Executor>
dtlto::createRemoteExecutor(Remote &R, const JobFile &F, const ActionSet &Set,
                            CacheProbe Probe, bool Verbose) {
  return std::make_unique<RemoteExecutor>(R, F, Set, std::move(Probe), Verbose);
}

CacheProbe dtlto::probeActionCache(Remote &R, const JobFile &F,
                                   const ActionSet &Set) {
  size_t N = Set.Jobs.size();
  CacheProbe P;
  P.Verdict.assign(N, CacheProbe::NotAsked);
  P.Results.resize(N);
  P.Bytes.resize(N);
  std::vector<rex::Digest> Actions;
  std::vector<std::vector<std::string>> Inline(N);
  for (size_t I = 0; I < N; ++I) {
    Actions.push_back(Set.Jobs[I].Action);
    for (const auto &[RemotePath, Local] : Set.Jobs[I].Outputs)
      Inline[I].push_back(RemotePath);
  }
  std::vector<std::optional<rex::ActionResult>> Found;
  bool Complete = R.lookupMany(Actions, Inline, Found);
  // Every hit's outputs in as few batches as the farm allows.
  std::vector<rex::Digest> Need;
  for (size_t I = 0; I < N; ++I)
    if (Found[I])
      for (const rex::Digest &D : blobsToFetch(*Found[I]))
        Need.push_back(D);
  std::map<std::string, std::string> Got;
  std::string Err;
  if (!R.download(Need, Got, Err))
    return P; // Each job asks again on its own, with retries.
  std::string Triple = F.target();
  bool Assembly = F.emitsAssembly();
  for (size_t I = 0; I < N; ++I) {
    if (!Found[I]) {
      // Asked and not there; unless the probe stopped early.
      if (Complete)
        P.Verdict[I] = CacheProbe::Miss;
      continue;
    }
    AttemptResult &Out = P.Results[I];
    Out.Job = I;
    uint64_t Down = resultOf(*Found[I], Set.Jobs[I], Got, Out, P.Bytes[I]);
    if (!judgeJob(Out.End, Out.Outputs, Triple, Assembly).empty()) {
      P.Verdict[I] = CacheProbe::BadHit; // Never used; executed afresh.
      ++P.Rejected;
      continue;
    }
    P.Verdict[I] = CacheProbe::GoodHit;
    Out.ReportExtra = reportExtra(*Found[I], /*Cached=*/true, 0, Down);
  }
  return P;
}
