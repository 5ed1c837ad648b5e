# ===- worker.py - One job inside a Dask worker ---------------------------===#
#
# Part of the dtlto project, under the Apache License v2.0 with LLVM
# Exceptions. See LICENSE for license information.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===----------------------------------------------------------------------===#
"""What runs inside a Dask worker for one job: write the job's inputs into
a private scratch directory with the linker's relative layout, run the
command there (through a persistent dtlto-codegen server when the compiler
is the clang it reproduces, or dtlto-codegen itself; otherwise as a
process), and return the outputs as bytes.

The client pickles this module by value, so a worker needs no copy of
dtlto-dask: everything here is self-contained (standard library and
distributed only, no import from the rest of the package)."""

import collections
import json
import os
import select
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time

# How a job's command ended: its exit status (None if killed or stopped),
# the signal that killed it, what it printed, "timed out" or "cancelled" if
# it was stopped, and its CPU seconds.
Ran = collections.namedtuple("Ran", "status signal output stopped cpu")


def _worker_state(worker):
    """Per-worker memory across jobs: servers per thread, codegen lookups."""
    state = getattr(worker, "_dtlto_state", None)
    if state is None:
        state = {"servers": {}, "codegen": {}}
        worker._dtlto_state = state
    return state


class _Scratch:
    """A private scratch tree per worker thread: top/d/d.../ is the job's
    working directory, deep enough for the job's '..' paths."""

    def __init__(self, worker, depth):
        self.base = os.path.join(worker.local_directory,
                                 f"dtlto-{os.getpid()}-{threading.get_ident()}")
        self.top = os.path.join(self.base, "w")
        self.cwd = os.path.join(self.top, *(["d"] * depth)) if depth else self.top
        self.chain = set()
        p = self.cwd
        while len(p) > len(self.top):
            self.chain.add(p)
            p = os.path.dirname(p)
        os.makedirs(self.cwd, exist_ok=True)
        self.clear()

    def clear(self):
        for d in [self.top] + sorted(self.chain):
            for name in os.listdir(d):
                full = os.path.join(d, name)
                if full in self.chain:
                    continue
                if os.path.isdir(full) and not os.path.islink(full):
                    shutil.rmtree(full)
                else:
                    os.unlink(full)

    def write(self, where, data):
        path = os.path.join(self.cwd, where)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)

    def read(self, where):
        try:
            with open(os.path.join(self.cwd, where), "rb") as f:
                return f.read()
        except OSError:
            return None


def _find_codegen(spec, state):
    """dtlto-codegen for the job's compiler: the clang it reproduces, or
    itself; None if there is none."""
    if not spec["codegen"]:
        return None
    key = spec["common"][0]
    if key in state["codegen"]:
        return state["codegen"][key]
    found = None
    compiler = shutil.which(key)
    for c in [shutil.which("dtlto-codegen"), spec["codegen_hint"]]:
        if not compiler or not c or not os.access(c, os.X_OK):
            continue
        if os.path.realpath(c) == os.path.realpath(compiler):
            found = c  # Jobs for our worker itself (LLVM's backend).
            break
        try:
            r = subprocess.run([c, "--print-compiler"], capture_output=True, timeout=60)
        except (OSError, subprocess.SubprocessError):
            continue
        same = os.path.realpath(r.stdout.decode().strip()) == os.path.realpath(compiler)
        if r.returncode == 0 and same:
            found = c
            break
    state["codegen"][key] = found
    return found


def _cpu_of(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


class _Stop:
    """Whether a job must stop: its deadline passed, or the client set the
    link's Dask event (interrupted or failed)."""

    def __init__(self, spec):
        self.name = spec["cancel"]
        self.deadline = time.monotonic() + spec["timeout"] if spec["timeout"] else None
        self.event = None

    def cancelled(self):
        if not self.name:
            return False
        try:
            if self.event is None:
                from distributed import Event
                self.event = Event(self.name)
            return self.event.is_set()
        except Exception:
            return False

    def slices(self):
        """Waits of at most a second: yields each wait's length, then
        "timed out" or "cancelled" when the job must stop."""
        while True:
            if self.cancelled():
                yield "cancelled"
                return
            left = None if self.deadline is None else self.deadline - time.monotonic()
            if left is not None and left <= 0:
                yield "timed out"
                return
            yield 1.0 if left is None else min(1.0, left)

    def read_exact(self, fd, n):
        """n bytes from fd; (None, why) if the job must stop, (None, None)
        at end of file."""
        data = b""
        slices = self.slices()
        while len(data) < n:
            wait = next(slices)
            if isinstance(wait, str):
                return None, wait
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                continue
            chunk = os.read(fd, n - len(data))
            if not chunk:
                return None, None
            data += chunk
        return data, None


def _protocol_lib(codegen, state):
    """The shared library beside dtlto-codegen: the protocol's framing
    (lib/Job/Protocol.cpp) is read with its code, not spelled out here."""
    if "lib" not in state:
        import ctypes
        path = os.path.join(os.path.dirname(codegen), "..", "lib", "libdtltojob.so")
        try:
            lib = ctypes.CDLL(path)
            lib.dtlto_decode_reply_header.argtypes = [
                ctypes.c_char_p, ctypes.POINTER(ctypes.c_uint32),
                ctypes.POINTER(ctypes.c_uint32)]
            state["lib"] = lib
        except OSError:
            state["lib"] = None
    return state["lib"]


def _reply_header(lib, head):
    import ctypes
    status, length = ctypes.c_uint32(), ctypes.c_uint32()
    lib.dtlto_decode_reply_header(head, ctypes.byref(status), ctypes.byref(length))
    return status.value, length.value


def _via_server(spec, state, codegen, scratch, stop):
    """The job on this thread's dtlto-codegen server: a Ran, or None if no
    server can run it (the caller runs a process instead)."""
    lib = _protocol_lib(codegen, state)
    if lib is None or spec["request"] is None:
        return None
    tid = threading.get_ident()
    # The directory itself, not only its name: another link may have
    # deleted and remade it, and the server's working directory would
    # then be the deleted one.
    st = os.stat(scratch.cwd)
    key = (tuple(spec["common"]), scratch.cwd, st.st_dev, st.st_ino)
    entry = state["servers"].get(tid)
    if entry and (entry["key"] != key or entry["proc"].poll() is not None):
        entry["proc"].kill()
        entry["proc"].wait()
        entry = None
    if entry is None:
        proc = subprocess.Popen([codegen, "--serve"] + spec["common"], cwd=scratch.cwd,
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                stderr=subprocess.DEVNULL, bufsize=0,
                                start_new_session=True)
        entry = {"key": key, "proc": proc}
        state["servers"][tid] = entry
    proc = entry["proc"]
    cpu0 = _cpu_of(proc.pid)
    stopped = None
    try:
        proc.stdin.write(spec["request"].encode("latin-1"))
        head, stopped = stop.read_exact(proc.stdout.fileno(), 8)
        if head is not None:
            status, length = _reply_header(lib, head)
            text, stopped = stop.read_exact(proc.stdout.fileno(), length)
            if text is not None:
                cpu1 = _cpu_of(proc.pid)
                cpu = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
                return Ran(status, None, text, None, cpu)
    except OSError:
        stopped = None
    # The server hung, died or was stopped: it serves no more jobs.
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    proc.wait()
    del state["servers"][tid]
    if stopped:
        return Ran(None, None, b"", stopped, None)
    return None


def _via_process(spec, scratch, stop):
    """The job's command as a process of its own."""
    argv = spec["common"] + spec["args"]
    before = os.times()
    out = tempfile.TemporaryFile(dir=scratch.base)
    try:
        proc = subprocess.Popen(argv, cwd=scratch.cwd, stdin=subprocess.DEVNULL,
                                stdout=out, stderr=subprocess.STDOUT,
                                start_new_session=True)
    except OSError as e:
        out.close()
        why = f"cannot run '{argv[0]}' on {socket.gethostname()}: {e.strerror}"
        return Ran(127, None, f"{why} (every worker needs the compiler)\n".encode(),
                   None, None)
    stopped = None
    for wait in stop.slices():
        if isinstance(wait, str):
            stopped = wait
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            break
        try:
            proc.wait(timeout=wait)
            break
        except subprocess.TimeoutExpired:
            pass
    out.seek(0)
    text = out.read()
    out.close()
    after = os.times()
    cpu = ((after.children_user - before.children_user) +
           (after.children_system - before.children_system))
    rc = proc.returncode
    if rc < 0:
        return Ran(None, -rc, text, stopped, cpu)
    return Ran(rc, None, text, stopped, cpu)


def run_job(spec_text, *blobs):
    """The Dask task of one job: spec_text is the job (JSON), blobs the
    contents of its inputs. Returns a dict (what the client judges)."""
    from distributed import get_worker

    began = time.time()
    spec = json.loads(spec_text)
    worker = get_worker()
    state = _worker_state(worker)
    scratch = _Scratch(worker, spec["depth"])
    for (where, index) in spec["inputs"]:
        scratch.write(where, blobs[index])
    for where in spec["outputs"]:
        os.makedirs(os.path.dirname(os.path.join(scratch.cwd, where)) or ".",
                    exist_ok=True)

    stop = _Stop(spec)
    start = time.time()
    codegen = _find_codegen(spec, state)
    ran = _via_server(spec, state, codegen, scratch, stop) if codegen else None
    used = "codegen" if ran else "process"
    if ran is None:
        ran = _via_process(spec, scratch, stop)
    end = time.time()
    outputs = {where: scratch.read(where) for where in spec["outputs"]}
    scratch.clear()
    return {"rc": ran.status, "signal": ran.signal,
            "stderr": ran.output.decode("utf-8", "replace")[-65536:],
            "stopped": ran.stopped, "outputs": outputs, "began": began,
            "start": start, "end": end, "finished": time.time(), "cpu": ran.cpu,
            "via": used, "worker": worker.address, "host": socket.gethostname()}
