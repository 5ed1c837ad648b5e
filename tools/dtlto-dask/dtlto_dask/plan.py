# ===- plan.py - What travels to the workers ------------------------------===#
#
# Part of the dtlto project, under the Apache License v2.0 with LLVM
# Exceptions. See LICENSE for license information.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===----------------------------------------------------------------------===#
"""The jobs as the workers will run them: which files each needs, where
they land in its scratch directory (relative paths as the linker wrote them;
absolute ones moved when only arguments name them), and its outputs."""

import os

from .common import Fatal


def leading_parents(rel):
    """How many directories above the working directory a path reaches."""
    depth = 0
    for part in os.path.normpath(rel).split(os.sep):
        if part != "..":
            break
        depth += 1
    return depth


def referenced(args, path):
    """Whether an argument is path itself or ends in '=' + path."""
    return any(a == path or a.endswith("=" + path) for a in args)


def replace_path(args, path, new):
    out = []
    for a in args:
        if a == path:
            a = new
        elif a.endswith("=" + path):
            a = a[: len(a) - len(path)] + new
        out.append(a)
    return out


class Plan:
    """The jobs as the workers will run them, and the files to ship."""

    def __init__(self, jf, absolute_mode):
        self.common = list(jf["common"]["args"])
        self.target = jf.get("target", "")
        self.assembly = jf.get("assembly", False)
        self.files = {}  # local path -> sha256, for every file shipped
        self.jobs = []
        depth = 0
        common_inputs = jf["common"]["inputs"]
        # Absolute common inputs can move only if named in the common args.
        moved = {}
        for n, p in enumerate(common_inputs):
            if os.path.isabs(p):
                self.common, moved[p] = self._move(self.common, p, n, None, absolute_mode)
        for i, job in enumerate(jf["jobs"]):
            module = job["inputs"][0] if job["inputs"] else (job["args"] or ["?"])[0]
            args = list(job["args"])
            ship = []  # (path on the worker, local path)
            for n, p in enumerate(common_inputs + job["inputs"]):
                where = moved.get(p, p)
                if p not in moved and os.path.isabs(p):
                    if p != module and referenced(args, p):
                        args, where = self._move(args, p, n, (i, module), absolute_mode)
                    elif absolute_mode == "shared":
                        continue  # The worker sees it where it is.
                    else:
                        raise self._absolute_error(i, module, p)
                if where is not None:
                    ship.append((where, p))
                    depth = max(depth, leading_parents(where))
            outputs = []
            for n, p in enumerate(job["outputs"]):
                where = p
                if os.path.isabs(p):
                    if not referenced(args, p):
                        raise Fatal(f"job {i} (module '{module}'): output '{p}' is "
                                    "absolute and not named in the job's arguments", 2)
                    where = f".dtlto-out/{n}/{os.path.basename(p)}"
                    args = replace_path(args, p, where)
                outputs.append((where, p))
                depth = max(depth, leading_parents(where))
            self.jobs.append({"module": module, "args": args, "ship": ship,
                              "outputs": outputs,
                              "command": self.common + list(job["args"])})
        self.depth = depth

    def _move(self, args, path, n, job, mode):
        if referenced(args, path):
            where = f".dtlto-in/{n}/{os.path.basename(path)}"
            return replace_path(args, path, where), where
        if mode == "shared":
            return args, None
        raise self._absolute_error(*(job or (None, None)), path)

    @staticmethod
    def _absolute_error(i, module, path):
        who = f"job {i} (module '{module}')" if i is not None else "common inputs"
        return Fatal(
            f"{who}: input '{path}' is an absolute path. The index shards record "
            "module paths exactly as the linker saw them and the backend opens "
            "imported modules by those paths, so a worker without this file at "
            "this path cannot compile the job. Give the linker relative paths "
            "(link in the build directory with relative inputs and a relative "
            "-o), or pass --absolute-paths=shared if every worker sees the same "
            "files at the same paths", 2)
