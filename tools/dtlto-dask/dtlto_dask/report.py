# ===- report.py - What dtlto-dask tells its user -------------------------===#
#
# Part of the dtlto project, under the Apache License v2.0 with LLVM
# Exceptions. See LICENSE for license information.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===----------------------------------------------------------------------===#
"""The progress line on a terminal, the per-job --report file and the
summary line of -v."""

import json
import sys
import time

from .common import PROG


class Progress:
    def __init__(self, mode, total):
        self.on = mode == "always" or (mode == "auto" and sys.stderr.isatty())
        self.total, self.begin = total, time.monotonic()

    def show(self, done, running):
        if not self.on:
            return
        eta = "?"
        if done:
            eta = f"{(time.monotonic() - self.begin) / done * (self.total - done):.0f}s"
        sys.stderr.write(f"\r\033[K[{PROG}] {done}/{self.total} done, {running} running, ETA {eta}")
        sys.stderr.flush()

    def clear(self):
        if self.on:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


def write_report(path, report):
    with open(path, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")


def summary(total, wall, records, shipped, distinct, per_job, returned):
    """The -v line."""
    compile_time = sum(r["end"] - r["start"] for r in records if r)
    via = sum(1 for r in records if r and r["via"] == "codegen")
    workers = len({r["worker"] for r in records if r})
    return (f"{PROG}: {total} jobs on {workers} worker(s) in {wall:.2f} s "
            f"({via} through dtlto-codegen, {compile_time:.2f} s compiling); "
            f"shipped {shipped} bytes in {distinct} distinct inputs "
            f"({per_job} if sent per job), returned {returned} bytes")
