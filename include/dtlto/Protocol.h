//===- Protocol.h - The dtlto-codegen server's wire protocol ----*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A dtlto-codegen server (--serve, --serve-fds) and its clients (dtlto-dist,
// dtlto-dask) exchange, on each lane (a pair of byte streams):
//
//   request  the job's own arguments (those after the common ones given when
//            the server started), each followed by a NUL byte, then one
//            more NUL byte (an empty argument ends the request);
//   reply    the job's status as a 4-byte little-endian number (0: success),
//            the length of its output as another, then that many bytes: what
//            the job printed on stdout and stderr.
//
// A server started without common arguments takes the first request on
// each lane as them (the compiler and its common arguments), with no reply.
// So an argument can be neither empty nor hold a NUL; such a job must run
// some other way. LLVM-free; also exported to Python through CAPI.h.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_PROTOCOL_H
#define DTLTO_PROTOCOL_H

#include <cstdint>
#include <string>
#include <vector>

namespace dtlto {

/// The request for a job with arguments \p Args; false, with \p Why set,
/// if an argument is empty or holds a NUL.
bool encodeRequest(const std::vector<std::string> &Args, std::string &Out,
                   std::string &Why);

/// Take one whole request off the front of \p Buffer into \p Args; false
/// (and \p Buffer unchanged) while it is incomplete.
bool decodeRequest(std::string &Buffer, std::vector<std::string> &Args);

/// The reply for a job that ended with \p Status and printed \p Output.
std::string encodeReply(uint32_t Status, const std::string &Output);

/// The size of a reply's header.
constexpr size_t ReplyHeaderSize = 8;

/// Read a reply's header: its status and output length.
void decodeReplyHeader(const char *Header, uint32_t &Status, uint32_t &Length);

/// Take one whole reply off the front of \p Buffer; false (and \p Buffer
/// unchanged) while it is incomplete.
bool decodeReply(std::string &Buffer, uint32_t &Status, std::string &Output);

/// Whether a job's arguments set process-wide state in a server (LLVM
/// options, pass plugins, statistics, timers): the server runs such a job
/// alone, so a client that sees them in the common arguments starts one
/// single-lane server per slot instead. The server decides from these and
/// from the compiler invocation they turn into.
bool setsProcessState(const std::vector<std::string> &Args);

} // namespace dtlto

#endif // DTLTO_PROTOCOL_H
