//===- Options.h - Design-era DTLTO option spellings ------------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_TOOLS_DTLTO_LLD_OPTIONS_H
#define DTLTO_TOOLS_DTLTO_LLD_OPTIONS_H

#include <string>
#include <vector>

namespace dtlto {

/// The command line as lld's \p COFF or ELF driver will read it: response
/// files expanded with lld's quoting rules, and for COFF the LINK and _LINK_
/// environment variables inserted (and then cleared, so lld does not add
/// them again).
std::vector<std::string> expandCommandLine(const std::vector<std::string> &Args,
                                           bool COFF);

/// Rewrite the spellings that pre-release DTLTO builds accepted into the ones
/// lld 22 parses. \p COFF selects lld-link's syntax.
std::vector<std::string> translateLegacyOptions(std::vector<std::string> Args,
                                                bool COFF);

/// Remove our own linker options from \p Args into dtlto::backendOptions().
/// False, with \p Err set, for a malformed value.
bool takeOwnOptions(std::vector<std::string> &Args, bool COFF,
                    std::string &Err);

} // namespace dtlto

#endif
