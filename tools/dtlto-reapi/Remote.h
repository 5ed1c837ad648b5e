//===- Remote.h - One REAPI endpoint: channel, calls, blobs -----*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The connection to a Remote Execution API v2 server and the calls dtlto
// makes on it, each with the instance name, the user's headers and, for
// transient failures (UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED), retries
// with exponential backoff. Blobs move in batches within the server's size
// limit, or through ByteStream when larger. Used by dtlto-reapi and its test
// worker.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_TOOLS_DTLTO_REAPI_REMOTE_H
#define DTLTO_TOOLS_DTLTO_REAPI_REMOTE_H

#include "build/bazel/remote/execution/v2/remote_execution.grpc.pb.h"
#include "google/bytestream/bytestream.grpc.pb.h"

#include <grpcpp/grpcpp.h>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace dtlto {

namespace rex = build::bazel::remote::execution::v2;

struct RemoteOptions {
  std::string Endpoint; ///< grpc://host:port or grpcs://host:port
  std::string Instance;
  std::string CAFile, CertFile, KeyFile; ///< PEM files (grpcs).
  std::vector<std::pair<std::string, std::string>> Headers;
  bool Insecure = false;      ///< Allow grpc:// off loopback.
  double ConnectTimeout = 20; ///< Seconds, for the first call.
};

/// A digest and the blob's bytes (kept until uploaded).
struct Blob {
  rex::Digest Digest;
  std::string Data;
};

rex::Digest digestOf(const std::string &Data);
/// "hash/size", for messages and maps.
std::string digestKey(const rex::Digest &D);

class Remote {
public:
  /// Open a channel to \p O.Endpoint; false with \p Err if the options are
  /// unusable (malformed endpoint, unreadable TLS files, plaintext off
  /// loopback without Insecure).
  bool open(const RemoteOptions &O, std::string &Err);

  /// GetCapabilities within the connect timeout; checks that SHA-256 is a
  /// digest function and execution is enabled; learns the batch limit.
  bool checkCapabilities(std::string &Err);

  /// The digests of \p Digests the server does not have (one call per
  /// 10000 digests).
  bool findMissing(const std::vector<rex::Digest> &Digests,
                   std::vector<rex::Digest> &Missing, std::string &Err);
  /// Upload \p Blobs: batches within the limit, ByteStream beyond it.
  bool upload(const std::vector<const Blob *> &Blobs, std::string &Err);
  /// Download \p Digests into \p Out (keyed by digestKey).
  bool download(const std::vector<rex::Digest> &Digests,
                std::map<std::string, std::string> &Out, std::string &Err);

  /// GetActionResult: true and \p Result if cached; false with \p Err empty
  /// if not, or \p Err set on an error.
  bool getActionResult(const rex::Digest &Action,
                       const std::vector<std::string> &InlineOutputs,
                       rex::ActionResult &Result, std::string &Err);
  /// GetActionResult for many actions at once; \p Results[I] is set where
  /// the cache holds action I. False if a lookup failed other than with
  /// NOT_FOUND (the results found so far are still set).
  bool lookupMany(const std::vector<rex::Digest> &Actions,
                  const std::vector<std::vector<std::string>> &Inline,
                  std::vector<std::optional<rex::ActionResult>> &Results);
  bool updateActionResult(const rex::Digest &Action,
                          const rex::ActionResult &Result, std::string &Err);

  /// Execute \p Action until its operation is done, resuming with
  /// WaitExecution when the stream breaks. \p Context, if given, is set to
  /// each call's context while it runs (for cancellation).
  bool execute(const rex::Digest &Action, bool SkipCacheLookup,
               rex::ExecuteResponse &Response, std::string &Err,
               const std::function<void(grpc::ClientContext *)> &Context = {});

  const std::string &endpoint() const { return Options.Endpoint; }
  const std::string &instance() const { return Options.Instance; }
  std::shared_ptr<grpc::Channel> channel() const { return Channel; }
  /// A context with the instance's headers and \p Seconds to run (0: none).
  std::unique_ptr<grpc::ClientContext> context(double Seconds = 0) const;

  /// Bytes sent and received in blobs so far.
  uint64_t bytesUp() const { return Up; }
  uint64_t bytesDown() const { return Down; }

private:
  bool batchLimitAllows(size_t Size) const;
  rex::GetActionResultRequest
  actionResultRequest(const rex::Digest &Action,
                      const std::vector<std::string> &Inline) const;
  bool writeStream(const Blob &B, std::string &Err);
  bool readStream(const rex::Digest &D, std::string &Out, std::string &Err);

  RemoteOptions Options;
  std::shared_ptr<grpc::Channel> Channel;
  std::unique_ptr<rex::ContentAddressableStorage::Stub> CAS;
  std::unique_ptr<rex::ActionCache::Stub> AC;
  std::unique_ptr<rex::Execution::Stub> Exec;
  std::unique_ptr<google::bytestream::ByteStream::Stub> Bytes;
  int64_t MaxBatch = 4 << 20;
  std::atomic<uint64_t> Up{0}, Down{0};
};

/// Whether \p Code is worth retrying (the server or a worker was briefly
/// unavailable or overloaded).
bool isTransient(grpc::StatusCode Code);
/// Run \p Call until it returns a non-transient status, at most
/// \p Attempts times, sleeping 100 ms, 200 ms, ... (max 5 s) in between.
grpc::Status withRetries(const std::function<grpc::Status()> &Call,
                         unsigned Attempts = 8);
/// "UNAVAILABLE: message".
std::string describe(const grpc::Status &S);

} // namespace dtlto

#endif
