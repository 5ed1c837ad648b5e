//===- JobFile.h - The DTLTO JSON job file model ----------------*- C++ -*-===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// The job file is the only contract between a linker and a distributor, so it
// is modelled once, here, and used by the backend (which writes it) and by
// every distributor (which read it). The layout is exactly the one LLVM 22
// emits: a single line, keys in the order common.{linker_output,args,inputs}
// and jobs[].{args,inputs,outputs}. Upstream's validate.py rejects extra keys,
// so the reader is equally strict.
//
// This library deliberately does not depend on LLVM: distributors and the
// fuzzer link it without paying for libLLVM's start-up.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_JOBFILE_H
#define DTLTO_JOBFILE_H

#include <string>
#include <string_view>
#include <vector>

namespace dtlto {

/// One backend compilation: the command tail, every file it reads and every
/// file it must produce.
struct Job {
  std::vector<std::string> Args;
  std::vector<std::string> Inputs;
  std::vector<std::string> Outputs;
};

/// The whole job file.
struct JobFile {
  std::string LinkerOutput;
  /// CommonArgs[0] is the remote compiler.
  std::vector<std::string> CommonArgs;
  std::vector<std::string> CommonInputs;
  std::vector<Job> Jobs;

  /// The full command line of job \p I: common args followed by job args.
  std::vector<std::string> command(size_t I) const;

  /// The module a job compiles (its first input), for messages.
  const std::string &moduleOf(size_t I) const;

  /// The target of the common args' first "--target=", or "": what every
  /// job's object is checked against.
  std::string target() const;

  /// Whether the remote compiler writes assembly (-S among the common args).
  bool emitsAssembly() const;
};

/// Serialize \p F in upstream LLVM 22's byte layout. Fails only if a string
/// is not valid UTF-8 (JSON cannot carry it); \p Err then names the string.
bool writeJobFile(const JobFile &F, std::string &Out, std::string &Err);

/// Parse and strictly validate a job file's text. On failure \p Err says
/// where (byte offset or key path) and why; \p Name prefixes the message.
bool parseJobFile(std::string_view Text, std::string_view Name, JobFile &Out,
                  std::string &Err);

/// Read and parse the file at \p Path.
bool readJobFile(const std::string &Path, JobFile &Out, std::string &Err);

/// For distributors: read the job file named by the last of \p Argc
/// arguments (the DTLTO contract). On a usage or job-file error, prints
/// "<Tool>: error: ..." (or a usage line) to stderr and returns false.
bool readJobFileArg(int Argc, char **Argv, const char *Tool, JobFile &Out);

/// Append \p S to \p Out as a JSON string, escaped as llvm::json does.
/// Check that every job output stays inside the directory of the linker
/// output or the directory of the job file \p JobFilePath (the two places
/// a linker puts them): no absolute path elsewhere, no `..` escaping them.
/// Distributors refuse a job file that fails this unless told otherwise, so
/// a crafted job file cannot make them overwrite files.
bool checkOutputPaths(const JobFile &F, const std::string &JobFilePath,
                      std::string &Err);

void appendJSONString(std::string &Out, std::string_view S);

/// True if \p S is well-formed UTF-8.
bool isValidUTF8(std::string_view S);

} // namespace dtlto

#endif // DTLTO_JOBFILE_H
