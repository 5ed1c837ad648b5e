# ===- common.py - Names every part of dtlto-dask shares -------------------===#
#
# Part of the dtlto project, under the Apache License v2.0 with LLVM
# Exceptions. See LICENSE for license information.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===----------------------------------------------------------------------===#
"""The program's name, its defaults, and the error that ends a run."""

PROG = "dtlto-dask"
# A backend job that runs this long is hung, not slow.
DEFAULT_TIMEOUT = 3600.0


class Fatal(Exception):
    """An error that ends the run: message and exit status."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status
