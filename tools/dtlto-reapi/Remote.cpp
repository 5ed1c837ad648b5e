//===- Remote.cpp - One REAPI endpoint: channel, calls, blobs -------------===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#include "Remote.h"

#include "dtlto/Files.h"
#include "dtlto/SHA256.h"

#include <arpa/inet.h>
#include <chrono>
#include <netdb.h>
#include <random>
#include <sstream>
#include <thread>

using namespace dtlto;

// Bytes from the farm are what their digest says (a blob named by a
// digest the farm does not hold must not become part of the program).
static bool matches(const rex::Digest &D, const std::string &Data) {
  return int64_t(Data.size()) == D.size_bytes() && sha256Hex(Data) == D.hash();
}

rex::Digest dtlto::digestOf(const std::string &Data) {
  rex::Digest D;
  D.set_hash(sha256Hex(Data));
  D.set_size_bytes(static_cast<int64_t>(Data.size()));
  return D;
}

std::string dtlto::digestKey(const rex::Digest &D) {
  return D.hash() + "/" + std::to_string(D.size_bytes());
}

bool dtlto::isTransient(grpc::StatusCode Code) {
  return Code == grpc::StatusCode::UNAVAILABLE ||
         Code == grpc::StatusCode::RESOURCE_EXHAUSTED ||
         Code == grpc::StatusCode::ABORTED;
}

grpc::Status dtlto::withRetries(const std::function<grpc::Status()> &Call,
                                unsigned Attempts) {
  std::chrono::milliseconds Pause(100);
  auto GiveUp = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  for (unsigned I = 1;; ++I) {
    grpc::Status S = Call();
    // Each call has its own deadline: one that passed is a stalled call,
    // worth another try (unlike an action's DEADLINE_EXCEEDED).
    bool Retry = isTransient(S.error_code()) ||
                 S.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED;
    if (S.ok() || !Retry || I >= Attempts ||
        std::chrono::steady_clock::now() > GiveUp)
      return S;
    std::this_thread::sleep_for(Pause);
    Pause = std::min(Pause * 2, std::chrono::milliseconds(5000));
  }
}

static const char *codeName(grpc::StatusCode C) {
  switch (C) {
  case grpc::StatusCode::OK:
    return "OK";
  case grpc::StatusCode::CANCELLED:
    return "CANCELLED";
  case grpc::StatusCode::INVALID_ARGUMENT:
    return "INVALID_ARGUMENT";
  case grpc::StatusCode::DEADLINE_EXCEEDED:
    return "DEADLINE_EXCEEDED";
  case grpc::StatusCode::NOT_FOUND:
    return "NOT_FOUND";
  case grpc::StatusCode::PERMISSION_DENIED:
    return "PERMISSION_DENIED";
  case grpc::StatusCode::RESOURCE_EXHAUSTED:
    return "RESOURCE_EXHAUSTED";
  case grpc::StatusCode::FAILED_PRECONDITION:
    return "FAILED_PRECONDITION";
  case grpc::StatusCode::ABORTED:
    return "ABORTED";
  case grpc::StatusCode::UNIMPLEMENTED:
    return "UNIMPLEMENTED";
  case grpc::StatusCode::INTERNAL:
    return "INTERNAL";
  case grpc::StatusCode::UNAVAILABLE:
    return "UNAVAILABLE";
  case grpc::StatusCode::UNAUTHENTICATED:
    return "UNAUTHENTICATED";
  default:
    return "error";
  }
}

std::string dtlto::describe(const grpc::Status &S) {
  std::string M = codeName(S.error_code());
  if (!S.error_message().empty())
    M += ": " + S.error_message();
  return M;
}

static std::string describeRpc(const google::rpc::Status &S) {
  return describe(
      grpc::Status(static_cast<grpc::StatusCode>(S.code()), S.message()));
}

// Whether every address \p Host names is a loopback one ("localhost" is, by
// name: RFC 6761).
static bool isLoopback(std::string Host) {
  if (Host.size() > 1 && Host.front() == '[' && Host.back() == ']')
    Host = Host.substr(1, Host.size() - 2);
  if (Host == "localhost" ||
      (Host.size() > 10 &&
       Host.compare(Host.size() - 10, 10, ".localhost") == 0))
    return true;
  addrinfo *Infos = nullptr;
  if (getaddrinfo(Host.c_str(), nullptr, nullptr, &Infos) != 0 || !Infos)
    return false;
  bool All = true;
  for (addrinfo *I = Infos; I; I = I->ai_next) {
    if (I->ai_family == AF_INET) {
      auto *A = reinterpret_cast<sockaddr_in *>(I->ai_addr);
      All &= (ntohl(A->sin_addr.s_addr) >> 24) == 127;
    } else if (I->ai_family == AF_INET6) {
      auto *A = reinterpret_cast<sockaddr_in6 *>(I->ai_addr);
      All &= IN6_IS_ADDR_LOOPBACK(&A->sin6_addr);
    } else {
      All = false;
    }
  }
  freeaddrinfo(Infos);
  return All;
}

bool Remote::open(const RemoteOptions &O, std::string &Err) {
  Options = O;
  std::string Target;
  bool TLS;
  if (O.Endpoint.rfind("grpcs://", 0) == 0) {
    TLS = true;
    Target = O.Endpoint.substr(8);
  } else if (O.Endpoint.rfind("grpc://", 0) == 0) {
    TLS = false;
    Target = O.Endpoint.substr(7);
  } else {
    Err = "invalid --remote '" + O.Endpoint +
          "': expected grpc://HOST:PORT or grpcs://HOST:PORT";
    return false;
  }
  size_t Colon = Target.rfind(':');
  if (Target.empty() || Colon == std::string::npos || Colon == 0 ||
      Colon + 1 == Target.size()) {
    Err = "invalid --remote '" + O.Endpoint + "': expected HOST:PORT";
    return false;
  }
  std::shared_ptr<grpc::ChannelCredentials> Creds;
  if (TLS) {
    grpc::SslCredentialsOptions SSL;
    auto Read = [&](const std::string &Path, std::string &Out) {
      if (Path.empty() || readFile(Path, Out))
        return true;
      Err = "cannot read TLS file '" + Path + "'";
      return false;
    };
    if (!Read(O.CAFile, SSL.pem_root_certs) ||
        !Read(O.CertFile, SSL.pem_cert_chain) ||
        !Read(O.KeyFile, SSL.pem_private_key))
      return false;
    if (SSL.pem_cert_chain.empty() != SSL.pem_private_key.empty()) {
      Err = "--tls-cert and --tls-key go together";
      return false;
    }
    Creds = grpc::SslCredentials(SSL);
  } else {
    if (!O.CAFile.empty() || !O.CertFile.empty() || !O.KeyFile.empty()) {
      Err = "--tls-* options need a grpcs:// endpoint";
      return false;
    }
    if (!O.Insecure && !isLoopback(Target.substr(0, Colon))) {
      Err = "refusing " + O.Endpoint +
            ": a plaintext endpoint off this machine; anyone on the way can "
            "read the bitcode or answer with objects of their own. Use "
            "grpcs:// or, on a network you trust completely, --insecure";
      return false;
    }
    Creds = grpc::InsecureChannelCredentials();
  }
  grpc::ChannelArguments Args;
  Args.SetMaxReceiveMessageSize(-1);
  Args.SetMaxSendMessageSize(-1);
  // gRPC waits up to two minutes between reconnection attempts by default;
  // a farm that was briefly away is tried again within seconds.
  Args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 100);
  Args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  Channel = grpc::CreateCustomChannel(Target, Creds, Args);
  CAS = rex::ContentAddressableStorage::NewStub(Channel);
  AC = rex::ActionCache::NewStub(Channel);
  Exec = rex::Execution::NewStub(Channel);
  Bytes = google::bytestream::ByteStream::NewStub(Channel);
  return true;
}

std::unique_ptr<grpc::ClientContext> Remote::context(double Seconds) const {
  auto C = std::make_unique<grpc::ClientContext>();
  for (const auto &[Name, Value] : Options.Headers)
    C->AddMetadata(Name, Value);
  if (Seconds > 0)
    C->set_deadline(std::chrono::system_clock::now() +
                    std::chrono::milliseconds(int64_t(Seconds * 1000)));
  return C;
}

bool Remote::checkCapabilities(std::string &Err) {
  auto Caps = rex::Capabilities::NewStub(Channel);
  rex::GetCapabilitiesRequest Req;
  Req.set_instance_name(Options.Instance);
  rex::ServerCapabilities Reply;
  auto Ctx = context(Options.ConnectTimeout);
  Ctx->set_wait_for_ready(true); // Wait for the server, up to the deadline.
  grpc::Status S = Caps->GetCapabilities(Ctx.get(), Req, &Reply);
  if (!S.ok()) {
    Err = "cannot reach the REAPI server at " + Options.Endpoint;
    if (S.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED)
      Err += " within " + std::to_string(int(Options.ConnectTimeout)) + " s";
    Err += ": " + describe(S);
    return false;
  }
  const rex::CacheCapabilities &Cache = Reply.cache_capabilities();
  bool SHA = Cache.digest_functions().empty();
  for (int F : Cache.digest_functions())
    SHA |= F == rex::DigestFunction::SHA256;
  if (!SHA) {
    Err = "the REAPI server at " + Options.Endpoint +
          " does not offer the SHA256 digest function";
    return false;
  }
  if (!Reply.execution_capabilities().exec_enabled()) {
    Err = "the REAPI server at " + Options.Endpoint +
          " has remote execution disabled (instance '" + Options.Instance +
          "')";
    return false;
  }
  // Leave room for the messages around the blobs; gRPC's default message
  // limit is 4 MiB.
  int64_t Server = Cache.max_batch_total_size_bytes();
  MaxBatch =
      (Server > 0 ? std::min<int64_t>(Server, 4 << 20) : 4 << 20) - (64 << 10);
  return true;
}

bool Remote::batchLimitAllows(size_t Size) const {
  return static_cast<int64_t>(Size) <= MaxBatch;
}

bool Remote::findMissing(const std::vector<rex::Digest> &Digests,
                         std::vector<rex::Digest> &Missing, std::string &Err) {
  for (size_t At = 0; At < Digests.size(); At += 10000) {
    rex::FindMissingBlobsRequest Req;
    Req.set_instance_name(Options.Instance);
    Req.set_digest_function(rex::DigestFunction::SHA256);
    for (size_t I = At; I < Digests.size() && I < At + 10000; ++I)
      *Req.add_blob_digests() = Digests[I];
    rex::FindMissingBlobsResponse Reply;
    grpc::Status S = withRetries([&] {
      Reply.Clear();
      return CAS->FindMissingBlobs(context(60).get(), Req, &Reply);
    });
    if (!S.ok()) {
      Err = "FindMissingBlobs: " + describe(S);
      return false;
    }
    for (const rex::Digest &D : Reply.missing_blob_digests())
      Missing.push_back(D);
  }
  return true;
}

static std::string uuid4() {
  std::random_device RD;
  std::mt19937_64 G((uint64_t(RD()) << 32) ^ RD());
  uint64_t A = G(), B = G();
  A = (A & ~0xf000ull) | 0x4000ull;
  B = (B & ~(3ull << 62)) | (2ull << 62);
  char Buf[40];
  snprintf(Buf, sizeof(Buf), "%08x-%04x-%04x-%04x-%012llx", unsigned(A >> 32),
           unsigned(A >> 16) & 0xffff, unsigned(A) & 0xffff,
           unsigned(B >> 48) & 0xffff,
           static_cast<unsigned long long>(B & 0xffffffffffffull));
  return Buf;
}

bool Remote::writeStream(const Blob &B, std::string &Err) {
  std::string Name = (Options.Instance.empty() ? "" : Options.Instance + "/") +
                     "uploads/" + uuid4() + "/blobs/" + B.Digest.hash() + "/" +
                     std::to_string(B.Digest.size_bytes());
  grpc::Status S = withRetries([&] {
    auto Ctx = context(600);
    google::bytestream::WriteResponse Reply;
    auto W = Bytes->Write(Ctx.get(), &Reply);
    const size_t Chunk = 1 << 20;
    size_t Off = 0;
    do {
      google::bytestream::WriteRequest Req;
      if (Off == 0)
        Req.set_resource_name(Name);
      Req.set_write_offset(static_cast<int64_t>(Off));
      size_t N = std::min(Chunk, B.Data.size() - Off);
      Req.set_data(B.Data.substr(Off, N));
      Off += N;
      Req.set_finish_write(Off == B.Data.size());
      if (!W->Write(Req))
        break;
    } while (Off < B.Data.size());
    W->WritesDone();
    return W->Finish();
  });
  if (!S.ok()) {
    Err = "ByteStream.Write of " + digestKey(B.Digest) + ": " + describe(S);
    return false;
  }
  Up += B.Data.size();
  return true;
}

bool Remote::upload(const std::vector<const Blob *> &Blobs, std::string &Err) {
  rex::BatchUpdateBlobsRequest Req;
  int64_t Size = 0;
  auto Flush = [&]() {
    if (Req.requests_size() == 0)
      return true;
    Req.set_instance_name(Options.Instance);
    Req.set_digest_function(rex::DigestFunction::SHA256);
    rex::BatchUpdateBlobsResponse Reply;
    grpc::Status S = withRetries([&] {
      Reply.Clear();
      return CAS->BatchUpdateBlobs(context(600).get(), Req, &Reply);
    });
    if (!S.ok()) {
      Err = "BatchUpdateBlobs: " + describe(S);
      return false;
    }
    for (const auto &R : Reply.responses())
      if (R.status().code() != 0) {
        Err = "BatchUpdateBlobs of " + digestKey(R.digest()) + ": " +
              describeRpc(R.status());
        return false;
      }
    Up += Size;
    Req.Clear();
    Size = 0;
    return true;
  };
  for (const Blob *B : Blobs) {
    int64_t N = static_cast<int64_t>(B->Data.size()) + 128;
    if (!batchLimitAllows(N)) {
      if (!writeStream(*B, Err))
        return false;
      continue;
    }
    if (Size + N > MaxBatch && !Flush())
      return false;
    auto *R = Req.add_requests();
    *R->mutable_digest() = B->Digest;
    R->set_data(B->Data);
    Size += N;
  }
  return Flush();
}

bool Remote::readStream(const rex::Digest &D, std::string &Out,
                        std::string &Err) {
  std::string Name = (Options.Instance.empty() ? "" : Options.Instance + "/") +
                     "blobs/" + D.hash() + "/" + std::to_string(D.size_bytes());
  grpc::Status S = withRetries([&] {
    Out.clear();
    auto Ctx = context(600);
    google::bytestream::ReadRequest Req;
    Req.set_resource_name(Name);
    auto R = Bytes->Read(Ctx.get(), Req);
    google::bytestream::ReadResponse Chunk;
    while (R->Read(&Chunk))
      Out += Chunk.data();
    return R->Finish();
  });
  if (!S.ok()) {
    Err = "ByteStream.Read of " + digestKey(D) + ": " + describe(S);
    return false;
  }
  Down += Out.size();
  if (!matches(D, Out)) {
    Err = "ByteStream.Read of " + digestKey(D) +
          ": the farm sent bytes with another digest";
    return false;
  }
  return true;
}

bool Remote::download(const std::vector<rex::Digest> &Digests,
                      std::map<std::string, std::string> &Out,
                      std::string &Err) {
  rex::BatchReadBlobsRequest Req;
  int64_t Size = 0;
  auto Flush = [&]() {
    if (Req.digests_size() == 0)
      return true;
    Req.set_instance_name(Options.Instance);
    Req.set_digest_function(rex::DigestFunction::SHA256);
    rex::BatchReadBlobsResponse Reply;
    grpc::Status S = withRetries([&] {
      Reply.Clear();
      return CAS->BatchReadBlobs(context(600).get(), Req, &Reply);
    });
    if (!S.ok()) {
      Err = "BatchReadBlobs: " + describe(S);
      return false;
    }
    for (const auto &R : Reply.responses()) {
      if (R.status().code() != 0) {
        Err = "BatchReadBlobs of " + digestKey(R.digest()) + ": " +
              describeRpc(R.status());
        return false;
      }
      Down += R.data().size();
      if (!matches(R.digest(), R.data())) {
        Err = "BatchReadBlobs of " + digestKey(R.digest()) +
              ": the farm sent bytes with another digest";
        return false;
      }
      Out[digestKey(R.digest())] = R.data();
    }
    Req.Clear();
    Size = 0;
    return true;
  };
  for (const rex::Digest &D : Digests) {
    if (Out.count(digestKey(D)))
      continue;
    if (D.size_bytes() == 0) {
      Out[digestKey(D)] = "";
      continue;
    }
    int64_t N = D.size_bytes() + 128;
    if (!batchLimitAllows(N)) {
      if (!readStream(D, Out[digestKey(D)], Err))
        return false;
      continue;
    }
    if (Size + N > MaxBatch && !Flush())
      return false;
    *Req.add_digests() = D;
    Size += N;
  }
  return Flush();
}

// What GetActionResult asks for \p Action: its printed text and the
// outputs \p Inline inline, where the server is willing.
rex::GetActionResultRequest
Remote::actionResultRequest(const rex::Digest &Action,
                            const std::vector<std::string> &Inline) const {
  rex::GetActionResultRequest Req;
  Req.set_instance_name(Options.Instance);
  *Req.mutable_action_digest() = Action;
  Req.set_inline_stderr(true);
  Req.set_inline_stdout(true);
  for (const std::string &O : Inline)
    Req.add_inline_output_files(O);
  Req.set_digest_function(rex::DigestFunction::SHA256);
  return Req;
}

bool Remote::lookupMany(
    const std::vector<rex::Digest> &Actions,
    const std::vector<std::vector<std::string>> &Inline,
    std::vector<std::optional<rex::ActionResult>> &Results) {
  // One thread, asynchronous calls, a bounded number in flight: a link's
  // worth of lookups costs a few round trips, not a thread each.
  struct Call {
    std::unique_ptr<grpc::ClientContext> Ctx;
    rex::ActionResult Reply;
    grpc::Status Status;
    std::unique_ptr<grpc::ClientAsyncResponseReader<rex::ActionResult>> Reader;
  };
  Results.assign(Actions.size(), std::nullopt);
  std::vector<Call> Calls(Actions.size());
  grpc::CompletionQueue CQ;
  size_t Next = 0, InFlight = 0;
  bool Healthy = true;
  while (Next < Actions.size() || InFlight) {
    while (Healthy && Next < Actions.size() && InFlight < 256) {
      Call &C = Calls[Next];
      rex::GetActionResultRequest Req =
          actionResultRequest(Actions[Next], Inline[Next]);
      C.Ctx = context(60);
      C.Reader = AC->AsyncGetActionResult(C.Ctx.get(), Req, &CQ);
      C.Reader->Finish(&C.Reply, &C.Status, reinterpret_cast<void *>(Next));
      ++Next;
      ++InFlight;
    }
    if (!Healthy && !InFlight)
      break;
    void *Tag;
    bool OK;
    if (!CQ.Next(&Tag, &OK))
      break;
    --InFlight;
    size_t I = reinterpret_cast<size_t>(Tag);
    if (OK && Calls[I].Status.ok())
      Results[I] = std::move(Calls[I].Reply);
    else if (Calls[I].Status.error_code() != grpc::StatusCode::NOT_FOUND)
      Healthy = false; // The rest go the ordinary way, with its retries.
    Calls[I].Reader.reset();
    Calls[I].Ctx.reset();
  }
  CQ.Shutdown();
  void *Tag;
  bool OK;
  while (CQ.Next(&Tag, &OK)) {
  }
  return Healthy;
}

bool Remote::getActionResult(const rex::Digest &Action,
                             const std::vector<std::string> &InlineOutputs,
                             rex::ActionResult &Result, std::string &Err) {
  rex::GetActionResultRequest Req = actionResultRequest(Action, InlineOutputs);
  grpc::Status S = withRetries([&] {
    Result.Clear();
    return AC->GetActionResult(context(60).get(), Req, &Result);
  });
  Err.clear();
  if (S.ok())
    return true;
  if (S.error_code() != grpc::StatusCode::NOT_FOUND)
    Err = "GetActionResult: " + describe(S);
  return false;
}

bool Remote::updateActionResult(const rex::Digest &Action,
                                const rex::ActionResult &Result,
                                std::string &Err) {
  rex::UpdateActionResultRequest Req;
  Req.set_instance_name(Options.Instance);
  *Req.mutable_action_digest() = Action;
  *Req.mutable_action_result() = Result;
  Req.set_digest_function(rex::DigestFunction::SHA256);
  rex::ActionResult Reply;
  grpc::Status S = withRetries(
      [&] { return AC->UpdateActionResult(context(60).get(), Req, &Reply); });
  if (!S.ok()) {
    Err = "UpdateActionResult: " + describe(S);
    return false;
  }
  return true;
}

bool Remote::execute(
    const rex::Digest &Action, bool SkipCacheLookup,
    rex::ExecuteResponse &Response, std::string &Err,
    const std::function<void(grpc::ClientContext *)> &Context) {
  rex::ExecuteRequest Req;
  Req.set_instance_name(Options.Instance);
  *Req.mutable_action_digest() = Action;
  Req.set_skip_cache_lookup(SkipCacheLookup);
  Req.set_digest_function(rex::DigestFunction::SHA256);
  std::string Name; // Once known, the operation is resumed by name.
  std::chrono::milliseconds Pause(100);
  for (unsigned Try = 1;; ++Try) {
    auto Ctx = context();
    if (Context)
      Context(Ctx.get());
    std::unique_ptr<grpc::ClientReader<google::longrunning::Operation>> R;
    if (Name.empty()) {
      R = Exec->Execute(Ctx.get(), Req);
    } else {
      rex::WaitExecutionRequest Wait;
      Wait.set_name(Name);
      R = Exec->WaitExecution(Ctx.get(), Wait);
    }
    google::longrunning::Operation Op;
    bool Done = false, Heard = false;
    while (R->Read(&Op)) {
      Heard = true;
      if (!Op.name().empty())
        Name = Op.name();
      if (Op.done()) {
        Done = true;
        break;
      }
    }
    if (Done)
      Ctx->TryCancel(); // Nothing more to read.
    grpc::Status S = R->Finish();
    if (Context)
      Context(nullptr);
    if (Done) {
      if (Op.has_error()) {
        auto Code = static_cast<grpc::StatusCode>(Op.error().code());
        if (isTransient(Code) && Try < 8) { // Run it again.
          Name.clear();
          std::this_thread::sleep_for(Pause);
          Pause = std::min(Pause * 2, std::chrono::milliseconds(5000));
          continue;
        }
        Err = "the operation failed: " + describeRpc(Op.error());
        return false;
      }
      if (!Op.response().UnpackTo(&Response)) {
        Err = "the operation's response is not an ExecuteResponse";
        return false;
      }
      return true;
    }
    if (S.error_code() == grpc::StatusCode::CANCELLED) {
      Err = "cancelled";
      return false;
    }
    // The operation is gone (the scheduler restarted): start again.
    if (S.error_code() == grpc::StatusCode::NOT_FOUND && !Name.empty())
      Name.clear();
    else if (!S.ok() && !isTransient(S.error_code())) {
      Err = (Name.empty() ? "Execute: " : "WaitExecution: ") + describe(S);
      return false;
    }
    // A server may end the stream of a long action now and then; a stream
    // that brought news is progress, not a failed attempt.
    if (Heard && !Name.empty() && (S.ok() || isTransient(S.error_code()))) {
      Try = 0;
      Pause = std::chrono::milliseconds(100);
      continue;
    }
    if (Try >= 12) {
      Err = "the operation did not finish after " + std::to_string(Try) +
            " attempts: " + describe(S);
      return false;
    }
    std::this_thread::sleep_for(Pause);
    Pause = std::min(Pause * 2, std::chrono::milliseconds(5000));
  }
}
