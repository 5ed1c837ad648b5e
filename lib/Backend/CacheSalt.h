//===- CacheSalt.h - What a DTLTO cache key covers beyond LLVM's -*- C++
//-*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// LLVM's ThinLTO cache key covers the module, its imports and the link's
// configuration, but our objects come from a remote compiler run with a
// command line, reading files named on it. So the key is salted with what
// decides that object too: the shard format, the remote command, the
// contents of the files every job reads (profiles, remapping files, pass
// plugins: edited in place, they keep their paths), and the identity of the
// remote compiler (a new clang installed at the same path). Computed once
// per link.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_LIB_BACKEND_CACHESALT_H
#define DTLTO_LIB_BACKEND_CACHESALT_H

#include <string>
#include <vector>

namespace dtlto {

/// The salt for the cache keys of a link whose jobs run \p CommonArgs
/// (the compiler first) and read \p CommonInputs, which count by their
/// contents, not their names.
std::string cacheSalt(const std::vector<std::string> &CommonArgs,
                      const std::vector<std::string> &CommonInputs);

/// What identifies the program at \p Path: its ELF build ID if it has one,
/// else a hash of its contents; "" if there is no such file here (a
/// compiler that exists only on the build farm).
std::string programIdentity(const std::string &Path);

} // namespace dtlto

#endif
