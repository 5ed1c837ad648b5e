//===- CAPI.h - The job-file library for distributors not written in C++ --===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A C interface to the job-file reader, the judgement of a job's result and
// the codegen-server protocol, built as libdtltojob.so, so that a
// distributor in Python (dtlto-dask, through ctypes) accepts, rejects and
// speaks exactly what the C++ ones do.
//
//===----------------------------------------------------------------------===//

#ifndef DTLTO_CAPI_H
#define DTLTO_CAPI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Reads and strictly checks the job file at \p Path (and, unless
/// \p AllowPathEscape, that no output leaves the linker output's directory:
/// dtlto::checkOutputPaths). On success returns 0
/// and sets *Out to the file re-serialized in LLVM 22's form (with an extra
/// top-level "target" key holding the --target= of common.args, if any, and
/// "assembly", true when the jobs compile with -S). On
/// failure returns 1 and sets *Out to the message. Free *Out with
/// dtlto_free.
int dtlto_read_job_file(const char *Path, int AllowPathEscape, char **Out);

/// Checks that \p Size bytes at \p Data are a complete native object for
/// \p Triple ("" = any), or with \p Assembly (the job file's "assembly")
/// assembly text. Returns 0 if so; otherwise 1, with *Why set to the reason
/// (free with dtlto_free).
int dtlto_check_object(const char *Data, uint64_t Size, const char *Triple,
                       int Assembly, char **Why);

/// dtlto::judgeJob (Judge.h): returns 0 if the job succeeded; otherwise 1,
/// with *Why set to the reason (free with dtlto_free). \p Succeeded: the
/// command ended normally with status 0, else \p How says how it ended;
/// \p Output: what it printed (\p OutputSize bytes). For each of the
/// \p NumOutputs outputs: its name, its bytes (NULL: not written) and size.
int dtlto_judge_job(int Succeeded, const char *How, const char *Output,
                    uint64_t OutputSize, int NumOutputs,
                    const char *const *Names, const char *const *Data,
                    const uint64_t *Sizes, const char *Triple, int Assembly,
                    char **Why);

/// dtlto::encodeRequest (Protocol.h) for \p NumArgs arguments: returns 0
/// and sets *Out (and *OutSize) to the request; or 1 with *Out set to the
/// reason. Free *Out with dtlto_free.
int dtlto_encode_request(int NumArgs, const char *const *Args, char **Out,
                         uint64_t *OutSize);

/// dtlto::decodeReplyHeader: the status and output length in the 8 bytes
/// at \p Header.
void dtlto_decode_reply_header(const char *Header, uint32_t *Status,
                               uint32_t *Length);

void dtlto_free(char *P);

#ifdef __cplusplus
}
#endif

#endif // DTLTO_CAPI_H
