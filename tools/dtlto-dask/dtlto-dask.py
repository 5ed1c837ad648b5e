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
# ===----------------------------------------------------------------------===#

import argparse
import ctypes
import hashlib
import json
import os
import shlex
import signal
import sys
import time

PROG = "dtlto-dask"
# A backend job that runs this long is hung, not slow.
DEFAULT_TIMEOUT = 3600.0
SELF_DIR = os.path.dirname(os.path.realpath(__file__))


class Fatal(Exception):
    """An error that ends the run: message and exit status."""

    def __init__(self, message, status):
        super().__init__(message)
        self.status = status


# --- The shared job-file library ------------------------------------------


class JobLib:
    """libdtltojob.so: the C++ job-file reader and object check."""

    def __init__(self):
        path = os.path.join(SELF_DIR, "..", "lib", "libdtltojob.so")
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


# --- Planning: what travels, and where it lands on the worker --------------


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


# --- The worker side (pickled by value; runs inside a Dask worker) --------


def _run_job(spec_text, *blobs):
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

    from distributed import get_worker

    began = time.time()
    spec = json.loads(spec_text)
    worker = get_worker()
    state = getattr(worker, "_dtlto_state", None)
    if state is None:
        state = {"servers": {}, "codegen": {}}
        worker._dtlto_state = state

    # A private scratch tree per worker thread: top/d/d.../ is the job's
    # working directory, deep enough for the job's '..' paths.
    base = os.path.join(worker.local_directory, f"dtlto-{os.getpid()}-{threading.get_ident()}")
    top = os.path.join(base, "w")
    cwd = os.path.join(top, *(["d"] * spec["depth"])) if spec["depth"] else top
    chain = set()
    p = cwd
    while len(p) > len(top):
        chain.add(p)
        p = os.path.dirname(p)

    def clear():
        for d in [top] + sorted(chain):
            for name in os.listdir(d):
                full = os.path.join(d, name)
                if full in chain:
                    continue
                if os.path.isdir(full) and not os.path.islink(full):
                    shutil.rmtree(full)
                else:
                    os.unlink(full)

    os.makedirs(cwd, exist_ok=True)
    clear()
    for (where, index) in spec["inputs"]:
        path = os.path.join(cwd, where)
        os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
        with open(path, "wb") as f:
            f.write(blobs[index])
    for where in spec["outputs"]:
        os.makedirs(os.path.dirname(os.path.join(cwd, where)) or ".", exist_ok=True)

    def find_codegen():
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

    def cpu_of(pid):
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, IndexError, ValueError):
            return None

    # The client sets this Dask event when the link is over (interrupted,
    # or failed): a job still running then is stopped, not left to finish.
    event = []

    def cancelled():
        if not spec["cancel"]:
            return False
        try:
            if not event:
                from distributed import Event
                event.append(Event(spec["cancel"]))
            return event[0].is_set()
        except Exception:
            return False

    def wait_slices(deadline):
        """Waits of at most a second until deadline (None: no limit): yields
        each wait's length; stops when the deadline passes ("timed out") or
        the link is cancelled ("cancelled")."""
        while True:
            if cancelled():
                yield "cancelled"
                return
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                yield "timed out"
                return
            yield 1.0 if left is None else min(1.0, left)

    def read_exact(fd, n, deadline):
        """n bytes from fd; (None, why) if the deadline passed or the link
        was cancelled, (None, None) at end of file."""
        data = b""
        slices = wait_slices(deadline)
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

    def protocol_lib(codegen):
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

    def reply_header(lib, head):
        import ctypes
        status, length = ctypes.c_uint32(), ctypes.c_uint32()
        lib.dtlto_decode_reply_header(head, ctypes.byref(status), ctypes.byref(length))
        return status.value, length.value

    def via_server(codegen):
        lib = protocol_lib(codegen)
        if lib is None or spec["request"] is None:
            return "retry", None, b"", None, None
        tid = threading.get_ident()
        # The directory itself, not only its name: another link may have
        # deleted and remade it, and the server's working directory would
        # then be the deleted one.
        st = os.stat(cwd)
        key = (tuple(spec["common"]), cwd, st.st_dev, st.st_ino)
        entry = state["servers"].get(tid)
        if entry and (entry["key"] != key or entry["proc"].poll() is not None):
            entry["proc"].kill()
            entry["proc"].wait()
            entry = None
        if entry is None:
            proc = subprocess.Popen([codegen, "--serve"] + spec["common"], cwd=cwd,
                                    stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                    stderr=subprocess.DEVNULL, bufsize=0,
                                    start_new_session=True)
            entry = {"key": key, "proc": proc}
            state["servers"][tid] = entry
        proc = entry["proc"]
        cpu0 = cpu_of(proc.pid)
        deadline = time.monotonic() + spec["timeout"] if spec["timeout"] else None
        stopped = None
        try:
            proc.stdin.write(spec["request"].encode("latin-1"))
            head, stopped = read_exact(proc.stdout.fileno(), 8, deadline)
            if head is not None:
                status, length = reply_header(lib, head)
                text, stopped = read_exact(proc.stdout.fileno(), length, deadline)
                if text is not None:
                    cpu1 = cpu_of(proc.pid)
                    cpu = cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None
                    return status, None, text, None, cpu
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
            return None, None, b"", stopped, None
        return "retry", None, b"", None, None

    def via_process():
        argv = spec["common"] + spec["args"]
        before = os.times()
        out = tempfile.TemporaryFile(dir=base)
        try:
            proc = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.DEVNULL,
                                    stdout=out, stderr=subprocess.STDOUT,
                                    start_new_session=True)
        except OSError as e:
            out.close()
            why = f"cannot run '{argv[0]}' on {socket.gethostname()}: {e.strerror}"
            return 127, None, f"{why} (every worker needs the compiler)\n".encode(), None, None
        deadline = time.monotonic() + spec["timeout"] if spec["timeout"] else None
        stopped = None
        for wait in wait_slices(deadline):
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
        cpu = (after.children_user - before.children_user) + (after.children_system - before.children_system)
        rc = proc.returncode
        if rc < 0:
            return None, -rc, text, stopped, cpu
        return rc, None, text, stopped, cpu

    start = time.time()
    codegen = find_codegen()
    result = None
    if codegen:
        result = via_server(codegen)
        if result[0] == "retry":
            result = None
    used = "codegen" if result else "process"
    if result is None:
        result = via_process()
    end = time.time()
    rc, sig, text, stopped, cpu = result
    outputs = {}
    for where in spec["outputs"]:
        try:
            with open(os.path.join(cwd, where), "rb") as f:
                outputs[where] = f.read()
        except OSError:
            outputs[where] = None
    clear()
    return {"rc": rc, "signal": sig, "stderr": text.decode("utf-8", "replace")[-65536:],
            "stopped": stopped, "outputs": outputs, "began": began, "start": start,
            "end": end, "finished": time.time(),
            "cpu": cpu, "via": used, "worker": worker.address,
            "host": socket.gethostname()}


# --- The client -----------------------------------------------------------


def parse_args(argv):
    env = os.environ.get
    p = argparse.ArgumentParser(
        prog=PROG, description="Run the jobs of a DTLTO job file on a Dask distributed cluster.")
    p.add_argument("jobfile", help="the job file the linker wrote")
    p.add_argument("--scheduler", default=env("DTLTO_DASK_SCHEDULER"),
                   help="scheduler address, e.g. tcp://host:8786 (env DTLTO_DASK_SCHEDULER)")
    p.add_argument("--scheduler-file", default=env("DTLTO_DASK_SCHEDULER_FILE"),
                   help="scheduler file written by 'dask scheduler --scheduler-file' "
                        "(env DTLTO_DASK_SCHEDULER_FILE)")
    p.add_argument("--connect-timeout", type=float, default=20.0, metavar="S",
                   help="give up if the scheduler, or any worker, is not there within S seconds")
    p.add_argument("--tls-ca-file", default=env("DTLTO_DASK_TLS_CA_FILE"))
    p.add_argument("--tls-cert", default=env("DTLTO_DASK_TLS_CERT"))
    p.add_argument("--tls-key", default=env("DTLTO_DASK_TLS_KEY"))
    p.add_argument("--insecure", action="store_true",
                   help="allow a plaintext (tcp://) scheduler or worker that is not on "
                        "loopback: anyone on the network can then read the bitcode and "
                        "return objects with code of their own")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="S",
                   help="a job running longer than S seconds on a worker is stopped and "
                        f"fails (default {DEFAULT_TIMEOUT:g}; 0: no limit)")
    p.add_argument("--retries", type=int, default=2, metavar="N",
                   help="rerun a failed job up to N times, on another worker if there is one")
    p.add_argument("--codegen", default=os.path.join(SELF_DIR, "dtlto-codegen"), metavar="PATH",
                   help="dtlto-codegen on the workers, if not on their PATH")
    p.add_argument("--no-codegen", action="store_true",
                   help="run every job's command as given, never through dtlto-codegen")
    p.add_argument("--absolute-paths", choices=["error", "shared"], default="error",
                   help="'shared': the workers see absolute input paths as they are here")
    p.add_argument("--allow-path-escape", action="store_true",
                   help="write outputs outside the linker output's directory")
    p.add_argument("--report", metavar="FILE", help="write per-job timings as JSON")
    p.add_argument("--progress", choices=["auto", "always", "never"], default="auto")
    p.add_argument("-v", "--verbose", action="store_true", help="print a summary")
    a = p.parse_args(argv)
    if not a.scheduler and not a.scheduler_file:
        p.error("no scheduler: give --scheduler=ADDRESS or --scheduler-file=PATH")
    if a.retries < 0 or a.timeout < 0 or a.connect_timeout <= 0:
        p.error("--retries and --timeout must not be negative, --connect-timeout must be positive")
    tls = [a.tls_ca_file, a.tls_cert, a.tls_key]
    if any(tls) and not all(tls):
        p.error("TLS needs all of --tls-ca-file, --tls-cert and --tls-key")
    return a


def is_loopback(host):
    """Whether every address host names is a loopback one."""
    import ipaddress
    import socket

    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    # RFC 6761: "localhost" names are loopback, resolvable or not.
    if host.lower().rstrip(".") == "localhost" or host.lower().rstrip(".").endswith(".localhost"):
        return True
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(
        ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def plaintext_risk(address):
    """Why talking plaintext to address is unsafe, or None if it is TLS or
    loopback. Dask's addresses are [protocol://]host:port."""
    from urllib.parse import urlsplit

    protocol, _, rest = address.rpartition("://")
    if protocol in ("tls", "inproc"):
        return None
    host = urlsplit("//" + rest).hostname or rest
    if is_loopback(host):
        return None
    return f"{address} is a plaintext ({protocol or 'tcp'}://) address off this machine"


def check_transport(a, address, what):
    """Refuse a plaintext address off this machine unless --insecure; warn
    with the risk if it was given."""
    why = plaintext_risk(address)
    if not why:
        return
    risk = ("anyone who can reach it can read the bitcode sent to the cluster, or "
            "join as a worker and return objects with code of their own, which "
            "pass every check and enter the link and the ThinLTO cache")
    if not a.insecure:
        raise Fatal(f"refusing the {what}: {why}; {risk}. Use TLS (a tls:// cluster "
                    "and --tls-ca-file, --tls-cert, --tls-key) or, on a network you "
                    "trust completely, --insecure", 2)
    print(f"{PROG}: warning: --insecure: {what} {why}: {risk}", file=sys.stderr)


def connect(a):
    from distributed import Client
    from distributed.security import Security

    where = a.scheduler or f"the scheduler file '{a.scheduler_file}'"
    kw = {"timeout": a.connect_timeout, "set_as_default": False}
    if a.tls_ca_file:
        for f in (a.tls_ca_file, a.tls_cert, a.tls_key):
            if not os.access(f, os.R_OK):
                raise Fatal(f"cannot read TLS file '{f}'", 3)
        kw["security"] = Security(tls_ca_file=a.tls_ca_file, tls_client_cert=a.tls_cert,
                                  tls_client_key=a.tls_key, require_encryption=True)
    if a.scheduler_file:
        deadline = time.monotonic() + a.connect_timeout
        while not os.path.exists(a.scheduler_file):
            if time.monotonic() > deadline:
                raise Fatal(f"scheduler file '{a.scheduler_file}' did not appear within "
                            f"{a.connect_timeout:g} s", 3)
            time.sleep(0.05)
        kw["scheduler_file"] = a.scheduler_file
        address = None
        try:
            with open(a.scheduler_file) as f:
                check_transport(a, json.load(f)["address"], "scheduler")
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise Fatal(f"cannot read the scheduler file '{a.scheduler_file}': {e}", 3)
    else:
        address = a.scheduler
        check_transport(a, address, "scheduler")
    try:
        client = Client(address, **kw)
    except Exception as e:  # Dask raises OSError, TimeoutError, ssl errors...
        hint = ""
        if a.scheduler_file:
            try:
                with open(a.scheduler_file) as f:
                    address = json.load(f).get("address", "")
            except (OSError, ValueError, AttributeError):
                pass
        if a.tls_ca_file is None and str(address or "").startswith("tls://"):
            hint = " (the address is tls://: give --tls-ca-file, --tls-cert and --tls-key)"
        raise Fatal(f"cannot reach the Dask scheduler at {where} within "
                    f"{a.connect_timeout:g} s: {type(e).__name__}: {e}{hint}", 3)
    try:
        client.wait_for_workers(1, timeout=a.connect_timeout)
    except Exception:
        client.close()
        raise Fatal(f"the Dask scheduler at {where} has no workers "
                    f"(waited {a.connect_timeout:g} s)", 3)
    # The inputs go to the workers and the objects come from them.
    try:
        for worker in client.scheduler_info()["workers"]:
            check_transport(a, worker, "worker")
    except Fatal:
        client.close()
        raise
    return client


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


def judge(lib, plan, job, res):
    """None if the job's result is good, else why not: the shared judgement
    (lib/Job/Judge.cpp), as dtlto-dist's."""
    if res["stopped"]:
        how = res["stopped"]
    elif res["signal"]:
        how = f"killed by signal {res['signal']}"
    elif res["via"] == "codegen":
        how = f"failed (status {res['rc']})"
    else:
        how = f"exited with status {res['rc']}"
    succeeded = not res["stopped"] and not res["signal"] and res["rc"] == 0
    outputs = [(local, res["outputs"].get(where)) for where, local in job["outputs"]]
    return lib.judge_job(succeeded, how, res["stderr"].encode(), outputs,
                         plan.target, plan.assembly)


def stop_jobs(client, cancel_name, futures):
    """Cancel the futures and tell running jobs to stop."""
    try:
        from distributed import Event
        Event(cancel_name, client=client).set()
        client.cancel(futures)
    except Exception as e:  # The cluster may be gone already.
        print(f"{PROG}: warning: cannot cancel {len(futures)} job(s) on the cluster: "
              f"{type(e).__name__}: {e}", file=sys.stderr)


def write_outputs(job, res, written):
    """Each output through a temporary file of its own, created exclusively
    (never through a name somebody else holds), then renamed in place."""
    for where, local in job["outputs"]:
        tmp = f"{local}.{PROG}-{os.getpid()}.tmp"
        flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC
        try:
            fd = os.open(tmp, flags, 0o666)
        except FileExistsError:  # Left by a killed run with our pid.
            os.unlink(tmp)
            fd = os.open(tmp, flags, 0o666)
        written.append(tmp)
        with os.fdopen(fd, "wb") as f:
            f.write(res["outputs"][where])
        os.replace(tmp, local)
        written.remove(tmp)


def write_report(path, report):
    with open(path, "w") as f:
        json.dump(report, f, indent=1)
        f.write("\n")


def import_dask():
    """Dask's import (~0.3 s) overlaps reading the job file and inputs."""
    import logging
    import threading
    import warnings

    def work():
        # Dask logs and warns on its own; the distributor reports what matters.
        warnings.filterwarnings("ignore")
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        import distributed  # noqa: F401

    t = threading.Thread(target=work, daemon=True)
    t.start()
    return t


def run(a):
    importing = import_dask()
    lib = JobLib()
    jf = lib.read_job_file(a.jobfile, a.allow_path_escape)
    plan = Plan(jf, a.absolute_paths)
    total = len(plan.jobs)

    # Read every distinct input once; identical content is shipped once.
    blobs = {}  # sha -> bytes
    sizes = {}
    for job in plan.jobs:
        for _, local in job["ship"]:
            if local in plan.files:
                continue
            try:
                with open(local, "rb") as f:
                    data = f.read()
            except OSError as e:
                raise Fatal(f"job {plan.jobs.index(job)} (module '{job['module']}'): "
                            f"cannot read input '{local}': {e.strerror}", 2)
            sha = hashlib.sha256(data).hexdigest()
            plan.files[local] = sha
            blobs.setdefault(sha, data)
            sizes[local] = len(data)
    if total == 0:
        return 0

    connect_start = time.time()
    importing.join()
    client = connect(a)
    start = time.time()
    cpu_start = time.process_time()
    written = []
    futures = {}
    try:
        from distributed import as_completed

        # Inputs go straight to the workers (scatter), one copy per distinct
        # content. Scattered data has no lineage: a worker that dies takes its
        # copies with it, so a job that lost an input gets it sent again.
        blob_futures = {}
        shipped = 0

        def send(shas):
            nonlocal shipped
            for sha, f in zip(shas, client.scatter([blobs[s] for s in shas])):
                blob_futures[sha] = f
            shipped += sum(len(blobs[s]) for s in shas)

        send(list(blobs))
        first_copy = shipped
        token = f"{os.uname().nodename}-{os.getpid()}-{int(start * 1000)}"
        cancel_name = f"dtlto-cancel-{token}"
        specs = []
        for i, job in enumerate(plan.jobs):
            shas = []
            inputs = []
            for where, local in job["ship"]:
                sha = plan.files[local]
                if sha not in shas:
                    shas.append(sha)
                inputs.append((where, shas.index(sha)))
            request = lib.encode_request(job["args"])
            spec = {"common": plan.common, "args": job["args"], "inputs": inputs,
                    "request": None if request is None else request.decode("latin-1"),
                    "outputs": [w for w, _ in job["outputs"]], "depth": plan.depth,
                    "timeout": a.timeout, "codegen": not a.no_codegen,
                    "codegen_hint": a.codegen, "cancel": cancel_name}
            cost = sum(sizes.get(local, 0) for _, local in job["ship"])
            specs.append((json.dumps(spec), shas, cost))
        serial = iter(range(1 << 62))

        def submit(i, attempt, avoid=None):
            spec, shas, cost = specs[i]
            kw = {}
            if avoid:
                others = [w for w in client.scheduler_info()["workers"] if w not in avoid]
                if others:
                    kw = {"workers": others, "allow_other_workers": True}
            deps = [blob_futures[s] for s in shas]
            f = client.submit(_run_job, spec, *deps, key=f"dtlto-job-{token}-{i}-{next(serial)}",
                              pure=False, priority=cost, **kw)
            futures[f.key] = (i, attempt, avoid or [], time.time(), deps, f)
            return f

        # Longest first: Dask runs higher priorities first.
        order = sorted(range(total), key=lambda i: -specs[i][2])
        pending = as_completed([submit(i, 0) for i in order], loop=client.loop)
        progress = Progress(a.progress, total)
        records = [None] * total
        resent = [0] * total
        failed = 0
        done = 0
        returned = 0

        def outcomes():
            """(future, result or None, failure or None), results gathered in
            batches."""
            for batch in pending.batches():
                good = [f for f in batch if f.status == "finished"]
                results = dict(zip((f.key for f in good), client.gather(good))) if good else {}
                for f in batch:
                    if f.key in results:
                        yield f, results[f.key], None
                        continue
                    try:
                        f.result()
                        why = f"task ended as '{f.status}'"
                    except Exception as e:
                        why = f"{type(e).__name__}: {e}" if str(e) else type(e).__name__
                    yield f, None, why

        for fut, res, why in outcomes():
            i, attempt, avoid, submitted, deps, _ = futures.pop(fut.key)
            job = plan.jobs[i]
            fut.release()
            if res is not None:
                why = judge(lib, plan, job, res)
            elif resent[i] < 10:
                lost = [sha for sha, d in zip(specs[i][1], deps)
                        if d.status != "finished"]
                if lost:
                    # Send again whatever is still missing, then rerun.
                    stale = [s for s in lost if blob_futures[s].status != "finished"]
                    if stale:
                        send(stale)
                    resent[i] += 1
                    pending.add(submit(i, attempt, avoid))
                    continue
            if why and attempt < a.retries:
                worker = [res["worker"]] if res else []
                print(f"{PROG}: warning: job {i} (module '{job['module']}') failed ({why}); "
                      f"retrying{' on another worker' if worker else ''}", file=sys.stderr)
                pending.add(submit(i, attempt + 1, avoid + worker))
                continue
            done += 1
            if why:
                failed += 1
                progress.clear()
                place = f" on worker {res['worker']}" if res else ""
                print(f"{PROG}: error: job {i} (module '{job['module']}') failed{place}: "
                      f"{why}\n  command: {shlex.join(job['command'])}", file=sys.stderr)
                if res and res["stderr"]:
                    sys.stderr.write(res["stderr"] + ("" if res["stderr"].endswith("\n") else "\n"))
            else:
                try:
                    write_outputs(job, res, written)
                except OSError as e:
                    raise Fatal(f"job {i} (module '{job['module']}'): cannot write its "
                                f"output: {e}", 1)
                returned += sum(len(d or b"") for d in res["outputs"].values())
            if res:
                records[i] = {"job": i, "module": job["module"], "worker": res["worker"],
                              "via": res["via"], "submitted": submitted - start,
                              "began": res["began"] - start,
                              "start": res["start"] - start, "end": res["end"] - start,
                              "finished": res["finished"] - start,
                              "received": time.time() - start, "cpu": res["cpu"],
                              "attempts": attempt + 1, "ok": not why}
            progress.show(done, total - done)
        progress.clear()
    except (OSError, TimeoutError) as e:
        # What Dask raises when the scheduler goes away in the middle of the
        # link (its CommClosedError is an OSError). Local file errors are
        # Fatal already.
        raise Fatal(f"lost the Dask cluster during the link: {type(e).__name__}: {e}", 3)
    finally:
        # Whatever is still queued or running (interrupted, or an error
        # here) is cancelled, and running jobs are stopped on the workers.
        if futures:
            stop_jobs(client, cancel_name, [entry[-1] for entry in futures.values()])
        for tmp in written:
            try:
                os.unlink(tmp)
            except OSError:
                pass
        client.close()

    wall = time.time() - start
    per_job = sum(sizes[local] for job in plan.jobs for _, local in job["ship"])
    if a.report:
        try:
            write_report(a.report, {
                "wall": wall, "connect": start - connect_start,
                "client_cpu": time.process_time() - cpu_start, "bytes_shipped": shipped,
                "bytes_resent": shipped - first_copy, "bytes_if_per_job": per_job,
                "bytes_returned": returned, "distinct_inputs": len(blobs), "jobs": records})
        except OSError as e:
            raise Fatal(f"cannot write the report '{a.report}': {e.strerror}", 1)
    if a.verbose:
        compile_time = sum(r["end"] - r["start"] for r in records if r)
        via = sum(1 for r in records if r and r["via"] == "codegen")
        workers = len({r["worker"] for r in records if r})
        print(f"{PROG}: {total} jobs on {workers} worker(s) in {wall:.2f} s "
              f"({via} through dtlto-codegen, {compile_time:.2f} s compiling); "
              f"shipped {shipped} bytes in {len(blobs)} distinct inputs "
              f"({per_job} if sent per job), returned {returned} bytes", file=sys.stderr)
    if failed:
        print(f"{PROG}: error: {failed} of {total} job(s) failed", file=sys.stderr)
        return 1
    return 0


def main(argv):
    a = parse_args(argv)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        return run(a)
    except Fatal as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return e.status
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
