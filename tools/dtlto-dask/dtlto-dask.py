#!/usr/bin/python3
# ===- dtlto-dask.py - dtlto-dask, the Dask distributed DTLTO distributor --===#
#
# Part of the dtlto project, under the Apache License v2.0 with LLVM
# Exceptions. See LICENSE for license information.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===----------------------------------------------------------------------===#
#
# Sends the backend jobs of an upstream-schema DTLTO job file to an existing
# Dask distributed cluster and returns when every output is written here.
#
# No shared filesystem is assumed. Every distinct input file becomes one
# task whose value is the file's bytes, keyed by its SHA-256: it travels to
# the cluster once per link however many jobs import it, and because the
# scheduler holds the bytes in the task, a worker that dies holding them
# costs a recomputation, never the link. A job task depends on the blobs of
# its inputs; on the worker it writes them into a private scratch directory
# with the same relative layout, runs the command there, and returns its
# outputs as bytes. On the worker, jobs for Debian's clang 22, and jobs for
# dtlto-codegen itself (LLVM's ThinLTO backend with the link's whole
# configuration), go to a persistent dtlto-codegen server (same bytes, no
# per-job clang start-up).
#
# Index shards record module paths exactly as the linker saw them, and the
# backend opens imported modules by those paths. Relative paths work as they
# are; an absolute shard or output path is moved into the scratch directory
# (it only appears in arguments), but an absolute module path is refused
# unless --absolute-paths=shared says the workers see the same files.
#
# Every returned output is checked by the same code as in the linker and in
# dtlto-dist (libdtltojob.so): present, non-empty, an object for the target;
# clang's "Error running ThinLTO backend" fails a job even with exit 0. A
# failed job is retried on another worker; a lost worker's jobs are rerun by
# Dask.
#
# Exit status: 0 all jobs succeeded, 1 a job failed, 2 usage, job-file or
# input error, 3 the cluster cannot be reached (address, TLS), 128+N
# interrupted by signal N.
#
# This is the command; the code is the package dtlto_dask beside
# libdtltojob.so (<prefix>/lib/dtlto-dask/dtlto_dask, one concept a module,
# see its __init__.py).
#
# ===----------------------------------------------------------------------===#

import os
import sys

BIN_DIR = os.path.dirname(os.path.realpath(__file__))
sys.path.insert(0, os.path.join(BIN_DIR, "..", "lib", "dtlto-dask"))

from dtlto_dask.client import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(sys.argv[1:], BIN_DIR))
