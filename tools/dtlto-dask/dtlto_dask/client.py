# ===- client.py - The run of a job file on the cluster -------------------===#
#
# Part of the dtlto project, under the Apache License v2.0 with LLVM
# Exceptions. See LICENSE for license information.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===----------------------------------------------------------------------===#
"""The link's side: read the job file, send every distinct input once,
submit the jobs longest first, judge each result with the linker's own
code, retry failures on other workers, resend inputs a lost worker held,
write the outputs atomically, and stop everything on error or interrupt."""

import argparse
import dataclasses
import hashlib
import json
import os
import shlex
import signal
import sys
import time

from . import worker as job_worker
from .cluster import connect
from .common import DEFAULT_TIMEOUT, PROG, Fatal
from .library import JobLib
from .plan import Plan
from .report import Progress, summary, write_report


@dataclasses.dataclass
class Submitted:
    """One submission of a job to the cluster."""
    job: int  # Its index in the job file.
    attempt: int  # 0 for the first run; retries count up.
    avoid: list  # Workers it failed on.
    submitted: float  # When (time.time()).
    deps: list  # The futures of its inputs.
    future: object


def parse_args(argv, bin_dir):
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
    p.add_argument("--codegen", default=os.path.join(bin_dir, "dtlto-codegen"), metavar="PATH",
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


def import_dask():
    """Dask's import (~0.3 s) overlaps reading the job file and inputs."""
    import logging
    import threading
    import importlib
    import warnings

    def work():
        # Dask logs and warns on its own; the distributor reports what matters.
        warnings.filterwarnings("ignore")
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        importlib.import_module("distributed")

    t = threading.Thread(target=work, daemon=True)
    t.start()
    return t


def run(a, bin_dir):
    importing = import_dask()
    lib = JobLib(bin_dir)
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

        # The workers get the job function's code with it: they need no
        # copy of this package.
        import cloudpickle
        cloudpickle.register_pickle_by_value(job_worker)

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
            f = client.submit(job_worker.run_job, spec, *deps,
                              key=f"dtlto-job-{token}-{i}-{next(serial)}",
                              pure=False, priority=cost, **kw)
            futures[f.key] = Submitted(i, attempt, avoid or [], time.time(), deps, f)
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
            sub = futures.pop(fut.key)
            i, attempt, avoid, deps = sub.job, sub.attempt, sub.avoid, sub.deps
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
                              "via": res["via"], "submitted": sub.submitted - start,
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
            stop_jobs(client, cancel_name, [s.future for s in futures.values()])
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
        print(summary(total, wall, records, shipped, len(blobs), per_job, returned),
              file=sys.stderr)
    if failed:
        print(f"{PROG}: error: {failed} of {total} job(s) failed", file=sys.stderr)
        return 1
    return 0


def main(argv, bin_dir):
    """dtlto-dask's command line; bin_dir holds dtlto-dask and its tools."""
    a = parse_args(argv, bin_dir)

    def on_term(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, on_term)
    try:
        return run(a, bin_dir)
    except Fatal as e:
        print(f"{PROG}: error: {e}", file=sys.stderr)
        return e.status
    except KeyboardInterrupt:
        print(f"{PROG}: interrupted", file=sys.stderr)
        return 130
