# ===- __init__.py - dtlto-dask, the Dask distributed DTLTO distributor ---===#
#
# Part of the dtlto project, under the Apache License v2.0 with LLVM
# Exceptions. See LICENSE for license information.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===----------------------------------------------------------------------===#
"""dtlto-dask: the backend jobs of a DTLTO job file on a Dask cluster.

One concept a module:
  common   the program name, defaults and the error that ends a run;
  library  libdtltojob.so: the job-file reader, the judgement of a job and
           the codegen-server protocol, the same C++ code as dtlto-dist's;
  plan     what travels to the workers and where it lands there;
  worker   what runs inside a Dask worker (pickled by value: the workers
           need no copy of this package);
  cluster  connecting to the scheduler, refusing plaintext off loopback;
  report   progress line, summary and the --report file;
  client   the run: ship inputs, submit, judge, retry, write outputs.
"""
