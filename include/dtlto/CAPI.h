//===- CAPI.h - The job-file library for distributors not written in C++ --===//
//
// Part of the dtlto project, under the Apache License v2.0 with LLVM
// Exceptions. See LICENSE for license information.
// SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
//
//===----------------------------------------------------------------------===//
//
// A C interface to the job-file reader and the native-object check, built as
// libdtltojob.so, so that a distributor in Python (dtlto-dask, through
// ctypes) accepts and rejects exactly what the C++ ones do.
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

void dtlto_free(char *P);

#ifdef __cplusplus
}
#endif

#endif // DTLTO_CAPI_H
