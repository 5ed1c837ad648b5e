# ===- library.py - libdtltojob.so from Python ----------------------------===#
#
# Part of the dtlto project, under the Apache License v2.0 with LLVM
# Exceptions. See LICENSE for license information.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===----------------------------------------------------------------------===#
"""The C++ job-file library (lib/Job, exported by CAPI.cpp): the strict
job-file reader, the judgement of a finished job and the codegen-server
request encoding, so dtlto-dask decides exactly as dtlto-dist does."""

import ctypes
import json
import os

from .common import Fatal


class JobLib:
    """libdtltojob.so: the C++ job-file reader and object check."""

    def __init__(self, bin_dir):
        path = os.path.join(bin_dir, "..", "lib", "libdtltojob.so")
        try:
            self.lib = ctypes.CDLL(path)
        except OSError as e:
            raise Fatal(f"cannot load the job-file library: {e}", 2)
        vp = ctypes.c_void_p
        self.lib.dtlto_read_job_file.argtypes = [ctypes.c_char_p, ctypes.c_int,
                                                 ctypes.POINTER(vp)]
        self.lib.dtlto_check_object.argtypes = [
            ctypes.c_char_p, ctypes.c_uint64, ctypes.c_char_p, ctypes.c_int,
            ctypes.POINTER(vp)]
        self.lib.dtlto_free.argtypes = [vp]
        cp, u64 = ctypes.c_char_p, ctypes.c_uint64
        self.lib.dtlto_judge_job.argtypes = [
            ctypes.c_int, cp, cp, u64, ctypes.c_int, ctypes.POINTER(cp),
            ctypes.POINTER(cp), ctypes.POINTER(u64), cp, ctypes.c_int,
            ctypes.POINTER(vp)]
        self.lib.dtlto_encode_request.argtypes = [
            ctypes.c_int, ctypes.POINTER(cp), ctypes.POINTER(vp), ctypes.POINTER(u64)]

    def _take(self, ptr):
        if not ptr.value:
            return ""
        text = ctypes.string_at(ptr.value).decode("utf-8", "replace")
        self.lib.dtlto_free(ptr)
        return text

    def read_job_file(self, path, allow_escape):
        out = ctypes.c_void_p()
        rc = self.lib.dtlto_read_job_file(os.fsencode(path), int(allow_escape),
                                          ctypes.byref(out))
        text = self._take(out)
        if rc:
            raise Fatal(text, 2)
        return json.loads(text)

    def judge_job(self, succeeded, how, output, outputs, triple, assembly):
        """dtlto::judgeJob: None if the job succeeded, else why not.
        outputs: (name, bytes or None) pairs."""
        n = len(outputs)
        names = (ctypes.c_char_p * n)(*[os.fsencode(name) for name, _ in outputs])
        data = (ctypes.c_char_p * n)(*[d for _, d in outputs])
        sizes = (ctypes.c_uint64 * n)(*[len(d or b"") for _, d in outputs])
        why = ctypes.c_void_p()
        rc = self.lib.dtlto_judge_job(int(succeeded), how.encode(), output, len(output),
                                      n, names, data, sizes, triple.encode(),
                                      int(assembly), ctypes.byref(why))
        return self._take(why) if rc else None

    def encode_request(self, args):
        """The codegen-server request for a job's arguments (Protocol.h), or
        None if the protocol cannot carry them."""
        argv = (ctypes.c_char_p * len(args))(*[a.encode() for a in args])
        out, size = ctypes.c_void_p(), ctypes.c_uint64()
        rc = self.lib.dtlto_encode_request(len(args), argv, ctypes.byref(out),
                                           ctypes.byref(size))
        if rc:
            self._take(out)
            return None
        data = ctypes.string_at(out.value, size.value)
        self.lib.dtlto_free(out)
        return data
