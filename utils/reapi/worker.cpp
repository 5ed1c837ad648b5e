//===- worker.cpp - A Buildbarn worker for dtlto's REAPI test farm --------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The test farm (utils/reapi-farm.py) runs Buildbarn's real bb_storage (the
// REAPI endpoint: CAS, action cache, ByteStream, Execute routed to the
// scheduler) and bb_scheduler, built from Buildbarn's Go modules. Buildbarn's
// own worker cannot be built from its modules (it needs Buildbarn's patches
// to go-fuse, applied only by its Bazel build), so this program takes its
// place: it speaks bb_scheduler's worker protocol (buildbarn.remoteworker,
// Synchronize), fetches each action's inputs from the CAS into a scratch
// directory, runs the command with exactly the command's environment,
// uploads the outputs, records a successful result in the action cache (as
// bb_worker does) and reports it. It is farm infrastructure for tests, not
// part of dtlto; what dtlto-reapi talks to is Buildbarn's.
//
//   dtlto-reapi-testworker --scheduler=HOST:PORT --storage=grpc://HOST:PORT
//       --dir=DIR [--name=NAME] [--platform=KEY=VALUE]...
//
//===----------------------------------------------------------------------===//

#include "Remote.h"

#include "buildbarn/remoteworker/remoteworker.grpc.pb.h"

#include "dtlto/Files.h"
#include "dtlto/Process.h"

#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <filesystem>
#include <poll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace dtlto;
namespace rw = buildbarn::remoteworker;
namespace fs = std::filesystem;

namespace {

google::protobuf::Timestamp nowStamp() {
  auto Since = std::chrono::system_clock::now().time_since_epoch();
  auto Nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(Since);
  google::protobuf::Timestamp T;
  T.set_seconds(Nanos.count() / 1000000000);
  T.set_nanos(static_cast<int32_t>(Nanos.count() % 1000000000));
  return T;
}

struct Worker {
  Remote Storage;
  std::unique_ptr<rw::OperationQueue::Stub> Queue;
  std::string Dir, Name;
  rex::Platform Platform;
  unsigned Serial = 0;

  bool fetchTree(const rex::Digest &Root, const fs::path &Into,
                 std::string &Err);
  rex::ExecuteResponse run(const rex::Digest &ActionDigest,
                           const rex::Action &Action,
                           const google::protobuf::Timestamp &Queued,
                           const std::function<void()> &Heartbeat);
};

template <typename M>
bool fetchMessage(Remote &R, const rex::Digest &D, M &Out, std::string &Err) {
  std::map<std::string, std::string> Got;
  if (!R.download({D}, Got, Err))
    return false;
  if (!Out.ParseFromString(Got[digestKey(D)])) {
    Err = "cannot parse blob " + digestKey(D);
    return false;
  }
  return true;
}

bool Worker::fetchTree(const rex::Digest &Root, const fs::path &Into,
                       std::string &Err) {
  std::vector<std::pair<rex::Digest, fs::path>> Dirs = {{Root, Into}};
  std::vector<std::pair<rex::FileNode, fs::path>> Files;
  while (!Dirs.empty()) {
    auto [D, Path] = Dirs.back();
    Dirs.pop_back();
    rex::Directory Dir;
    if (!fetchMessage(Storage, D, Dir, Err))
      return false;
    fs::create_directories(Path);
    for (const rex::FileNode &F : Dir.files())
      Files.push_back({F, Path / F.name()});
    for (const rex::DirectoryNode &Sub : Dir.directories())
      Dirs.push_back({Sub.digest(), Path / Sub.name()});
  }
  std::vector<rex::Digest> Need;
  for (const auto &[F, Path] : Files)
    Need.push_back(F.digest());
  std::map<std::string, std::string> Got;
  if (!Storage.download(Need, Got, Err))
    return false;
  for (const auto &[F, Path] : Files) {
    int Fd = ::open(Path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                    F.is_executable() ? 0755 : 0644);
    const std::string &Data = Got[digestKey(F.digest())];
    if (Fd < 0 || ::write(Fd, Data.data(), Data.size()) !=
                      static_cast<ssize_t>(Data.size())) {
      Err = "cannot write input " + Path.string();
      if (Fd >= 0)
        ::close(Fd);
      return false;
    }
    ::close(Fd);
  }
  return true;
}

rex::ExecuteResponse Worker::run(const rex::Digest &ActionDigest,
                                 const rex::Action &Action,
                                 const google::protobuf::Timestamp &Queued,
                                 const std::function<void()> &Heartbeat) {
  rex::ExecuteResponse Resp;
  rex::ActionResult &AR = *Resp.mutable_result();
  rex::ExecutedActionMetadata &M = *AR.mutable_execution_metadata();
  M.set_worker(Name);
  *M.mutable_queued_timestamp() = Queued;
  *M.mutable_worker_start_timestamp() = nowStamp();
  auto Fail = [&](grpc::StatusCode Code, const std::string &Why) {
    Resp.mutable_status()->set_code(static_cast<int>(Code));
    Resp.mutable_status()->set_message(Why);
    Resp.clear_result();
    return Resp;
  };

  fs::path Scratch = fs::path(Dir) / ("a" + std::to_string(++Serial));
  std::error_code EC;
  fs::remove_all(Scratch, EC);
  std::string Err;
  rex::Command Cmd;
  *M.mutable_input_fetch_start_timestamp() = nowStamp();
  if (!fetchMessage(Storage, Action.command_digest(), Cmd, Err) ||
      !fetchTree(Action.input_root_digest(), Scratch / "root", Err))
    return Fail(grpc::StatusCode::FAILED_PRECONDITION, Err);
  *M.mutable_input_fetch_completed_timestamp() = nowStamp();

  fs::path Work = Scratch / "root" / Cmd.working_directory();
  std::vector<std::string> Outputs(Cmd.output_paths().begin(),
                                   Cmd.output_paths().end());
  if (Outputs.empty())
    Outputs.assign(Cmd.output_files().begin(), Cmd.output_files().end());
  for (const std::string &O : Outputs)
    fs::create_directories((Work / O).parent_path(), EC);

  SpawnOptions S;
  S.Dir = Work.string();
  S.ReplaceEnvironment = true;
  for (const auto &E : Cmd.environment_variables())
    S.Environment.push_back(E.name() + "=" + E.value());
  int Out = ::open((Scratch / "stdout").c_str(),
                   O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  int ErrFd = ::open((Scratch / "stderr").c_str(),
                     O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  S.Stdout = Out;
  S.Stderr = ErrFd;
  S.NewProcessGroup = true;
  std::vector<std::string> Argv(Cmd.arguments().begin(), Cmd.arguments().end());
  *M.mutable_execution_start_timestamp() = nowStamp();
  pid_t Pid = spawnProcess(Argv, S, Err);
  if (Pid < 0) {
    ::close(Out);
    ::close(ErrFd);
    return Fail(grpc::StatusCode::INVALID_ARGUMENT, Err);
  }
  int Status = 0;
  double Limit = Action.has_timeout() ? Action.timeout().seconds() : 0;
  auto Start = std::chrono::steady_clock::now();
  bool TimedOut = false;
  // Woken the moment the command exits (a pidfd), at least once a second
  // for the heartbeat and the timeout.
  int PidFd = static_cast<int>(::syscall(SYS_pidfd_open, Pid, 0));
  for (;;) {
    pid_t W = ::waitpid(Pid, &Status, WNOHANG);
    if (W == Pid)
      break;
    double Ran =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - Start)
            .count();
    if (Limit > 0 && Ran > Limit) {
      Status = stopProcessGroup(Pid, SIGKILL, 0);
      TimedOut = true;
      break;
    }
    Heartbeat();
    if (PidFd >= 0) {
      pollfd P = {PidFd, POLLIN, 0};
      ::poll(&P, 1, 1000);
    } else {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  if (PidFd >= 0)
    ::close(PidFd);
  ::kill(-Pid, SIGKILL);
  *M.mutable_execution_completed_timestamp() = nowStamp();

  *M.mutable_output_upload_start_timestamp() = nowStamp();
  std::vector<Blob> Blobs;
  for (const std::string &O : Outputs) {
    std::string Data;
    if (!fs::is_regular_file(Work / O) || !readFile(Work / O, Data))
      continue;
    Blob B{digestOf(Data), std::move(Data)};
    rex::OutputFile *F = AR.add_output_files();
    F->set_path(O);
    *F->mutable_digest() = B.Digest;
    Blobs.push_back(std::move(B));
  }
  std::string OutText = readWholeFd(Out), ErrText = readWholeFd(ErrFd);
  ::close(Out);
  ::close(ErrFd);
  Blob StdoutBlob{digestOf(OutText), OutText};
  Blob StderrBlob{digestOf(ErrText), ErrText};
  *AR.mutable_stdout_digest() = StdoutBlob.Digest;
  *AR.mutable_stderr_digest() = StderrBlob.Digest;
  Blobs.push_back(StdoutBlob);
  Blobs.push_back(StderrBlob);
  std::vector<const Blob *> Ptrs;
  for (const Blob &B : Blobs)
    Ptrs.push_back(&B);
  if (!Storage.upload(Ptrs, Err))
    return Fail(grpc::StatusCode::UNAVAILABLE, "uploading outputs: " + Err);
  *M.mutable_output_upload_completed_timestamp() = nowStamp();
  *M.mutable_worker_completed_timestamp() = nowStamp();
  fs::remove_all(Scratch, EC);

  if (TimedOut) {
    AR.set_exit_code(-1);
    Resp.mutable_status()->set_code(
        static_cast<int>(grpc::StatusCode::DEADLINE_EXCEEDED));
    Resp.mutable_status()->set_message("the action ran past its timeout");
    return Resp;
  }
  AR.set_exit_code(WIFEXITED(Status) ? WEXITSTATUS(Status)
                                     : 128 + WTERMSIG(Status));
  // As bb_worker does: only successful results go to the action cache.
  if (AR.exit_code() == 0 && !Action.do_not_cache() &&
      !Storage.updateActionResult(ActionDigest, AR, Err))
    std::fprintf(stderr, "worker %s: %s\n", Name.c_str(), Err.c_str());
  return Resp;
}

} // namespace

int main(int Argc, char **Argv) {
  signal(SIGPIPE, SIG_IGN);
  std::string Scheduler, StorageURL, Dir, Name = "worker";
  std::vector<std::pair<std::string, std::string>> Props;
  for (int I = 1; I < Argc; ++I) {
    std::string A = Argv[I];
    auto Value = [&](const char *P) {
      return A.rfind(P, 0) == 0 ? A.substr(std::strlen(P)) : std::string();
    };
    if (!Value("--scheduler=").empty())
      Scheduler = Value("--scheduler=");
    else if (!Value("--storage=").empty())
      StorageURL = Value("--storage=");
    else if (!Value("--dir=").empty())
      Dir = Value("--dir=");
    else if (!Value("--name=").empty())
      Name = Value("--name=");
    else if (!Value("--platform=").empty()) {
      std::string V = Value("--platform=");
      size_t Eq = V.find('=');
      Props.push_back(
          {V.substr(0, Eq), Eq == std::string::npos ? "" : V.substr(Eq + 1)});
    } else {
      std::fprintf(stderr, "dtlto-reapi-testworker: unknown option '%s'\n",
                   A.c_str());
      return 2;
    }
  }
  if (Scheduler.empty() || StorageURL.empty() || Dir.empty()) {
    std::fprintf(stderr, "usage: dtlto-reapi-testworker --scheduler=HOST:PORT "
                         "--storage=grpc://HOST:PORT --dir=DIR\n");
    return 2;
  }
  Worker W;
  W.Dir = Dir;
  W.Name = Name;
  std::sort(Props.begin(), Props.end());
  for (const auto &[K, V] : Props) {
    auto *P = W.Platform.add_properties();
    P->set_name(K);
    P->set_value(V);
  }
  RemoteOptions RO;
  RO.Endpoint = StorageURL;
  std::string Err;
  if (!W.Storage.open(RO, Err)) {
    std::fprintf(stderr, "dtlto-reapi-testworker: %s\n", Err.c_str());
    return 2;
  }
  // Short reconnection backoff, and calls that wait for the connection: a
  // worker started before the scheduler listens joins as soon as it does,
  // not after gRPC's backoff of seconds.
  grpc::ChannelArguments Args;
  Args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 50);
  Args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 500);
  auto Channel = grpc::CreateCustomChannel(
      Scheduler, grpc::InsecureChannelCredentials(), Args);
  W.Queue = rw::OperationQueue::NewStub(Channel);
  // "DIR/ready" once connected: utils/reapi-farm.py waits for it, so that a
  // farm it reports up has its workers.
  if (Channel->WaitForConnected(std::chrono::system_clock::now() +
                                std::chrono::seconds(60))) {
    int FD = ::open((Dir + "/ready").c_str(),
                    O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (FD >= 0)
      ::close(FD);
  }

  rw::CurrentState State;
  State.mutable_idle();
  std::mutex SyncMu;
  auto Sync = [&](const rw::CurrentState &Now, rw::SynchronizeResponse &Resp) {
    std::lock_guard<std::mutex> L(SyncMu);
    rw::SynchronizeRequest Req;
    (*Req.mutable_worker_id())["hostname"] = "localhost";
    (*Req.mutable_worker_id())["worker"] = W.Name;
    *Req.mutable_platform() = W.Platform;
    *Req.mutable_current_state() = Now;
    grpc::ClientContext Ctx;
    Ctx.set_wait_for_ready(true);
    Ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::seconds(120));
    return W.Queue->Synchronize(&Ctx, Req, &Resp);
  };
  for (;;) {
    rw::SynchronizeResponse Resp;
    grpc::Status S = Sync(State, Resp);
    if (!S.ok()) { // The scheduler is not up yet, or restarting.
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    if (!Resp.desired_state().has_executing()) {
      State.Clear();
      State.mutable_idle();
      continue; // The scheduler holds an idle worker's call until work.
    }
    const rw::DesiredState::Executing &Exec = Resp.desired_state().executing();
    rex::Digest ActionDigest = Exec.action_digest();
    // While running, tell the scheduler now and then that we are alive.
    auto Last = std::chrono::steady_clock::now();
    auto Heartbeat = [&] {
      auto T = std::chrono::steady_clock::now();
      if (T - Last < std::chrono::seconds(1))
        return;
      Last = T;
      rw::CurrentState Running;
      *Running.mutable_executing()->mutable_action_digest() = ActionDigest;
      Running.mutable_executing()->mutable_running();
      rw::SynchronizeResponse Ignored;
      Sync(Running, Ignored);
    };
    rex::ExecuteResponse Result =
        W.run(ActionDigest, Exec.action(), Exec.queued_timestamp(), Heartbeat);
    State.Clear();
    *State.mutable_executing()->mutable_action_digest() = ActionDigest;
    *State.mutable_executing()->mutable_completed() = Result;
  }
}
