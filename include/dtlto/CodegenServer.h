//===- CodegenServer.h - Starting a dtlto-codegen server --------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The process side of the protocol in Protocol.h, for every client that
// starts a server: dtlto-dist (when its jobs need one) and our linker (before
// the job file exists, lib/Backend/EarlyServer.cpp). LLVM-free.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_CODEGENSERVER_H
#define DTLTO_CODEGENSERVER_H

#include <string>
#include <sys/types.h>
#include <vector>

namespace dtlto {

/// One lane of a server, from the client's side: requests are written to
/// To, replies read from From (both close-on-exec).
struct ServerLane {
  int To = -1, From = -1;
};

/// Start \p Codegen, leading a process group of its own, serving \p Lanes
/// lanes: on threads through inherited descriptors (--serve-fds=) if
/// \p Threaded, else one lane on its stdin and stdout (--serve). \p Common:
/// its common arguments (compiler first); none with \p Threaded: each
/// lane's first request gives them. Returns its process ID and fills \p Out,
/// or -1 with \p Err (no descriptor left open).
pid_t startCodegenServer(const std::string &Codegen, unsigned Lanes,
                         bool Threaded, const std::vector<std::string> &Common,
                         std::vector<ServerLane> &Out, std::string &Err);

} // namespace dtlto

#endif // DTLTO_CODEGENSERVER_H
