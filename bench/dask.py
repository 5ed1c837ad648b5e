#!/usr/bin/python3
"""Cluster benchmark: our ld.lld + dtlto-dask on a throwaway Dask cluster.

Replays each program's recorded link (bench/build.sh) side by side, the
configurations alternating within each round:

  inprocess  Debian ld.lld-22, --thinlto-jobs=2 (reference)
  local-1    our ld.lld + dtlto-dist -j1
  local-2    our ld.lld + dtlto-dist -j2
  dask-1     our ld.lld + dtlto-dask, a scheduler and 1 one-thread worker
  dask-2     our ld.lld + dtlto-dask, a scheduler and 2 one-thread workers

Both clusters (utils/dask-cluster.py, loopback) stay up for the whole run,
so the cluster shares this machine's cores with the linker, as the issue
asks. From dtlto-dask's --report: bytes shipped and returned, and the
engine's overhead per job with one worker (distributor wall after connecting,
minus the compile time, over the jobs: submission, scheduling, shipping,
unpacking, returning, checking and writing). The result feeds a projection
for 8, 32 and 128 workers, checked against the 2-worker measurement.

  bench/dask.py [--runs 5] [--programs mafft,bullet,7zip] [--out docs/dask.md]
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as R  # noqa: E402  (the link benchmark's helpers)

DASK = os.path.join(R.ROOT, "build", "bin", "dtlto-dask")
CLUSTER = os.path.join(R.ROOT, "utils", "dask-cluster.py")


def command(mode, args, out, tmp, report, cwd):
    # A relative -o, as build systems give it: serialized archive members
    # land next to it and their paths must be relative for dtlto-dask.
    out = os.path.relpath(out, cwd)
    if mode == "inprocess":
        return R.command("inprocess", 2, args, out, None)
    if mode.startswith("local"):
        return R.command("ours", int(mode[-1]), args, out, None)
    args = list(args)
    args[args.index("-o") + 1] = out
    sched = os.path.join(tmp, "cluster-" + mode[-1], "scheduler.json")
    return [R.OUR_LD] + args + [
        "--thinlto-distributor=" + DASK,
        "--thinlto-distributor-arg=--scheduler-file=" + sched,
        "--thinlto-distributor-arg=--report=" + report,
        "--thinlto-remote-compiler=" + R.CLANG]


def compile_sum(rep):
    return sum(j["end"] - j["start"] for j in rep["jobs"] if j)


def project(rep1, wall1, workers, S=None):
    """Link wall with W workers, from the one-worker measurement.

    T(W) = F + max(S / W + o * J / W, c * J, longest job), where F is the
    link's time outside the distributor's job phase (linker front and back
    end, distributor start-up and connection), S the compile time summed
    over jobs, o the engine's per-job overhead that runs in parallel on the
    workers, and c its serial per-job cost on the client (CPU per job).
    """
    jobs = [j for j in rep1["jobs"] if j]
    J = len(jobs)
    o = (rep1["wall"] - compile_sum(rep1)) / J
    S = compile_sum(rep1) if S is None else S
    c = rep1["client_cpu"] / J
    longest = max(j["end"] - j["start"] for j in jobs)
    F = wall1 - rep1["wall"]
    return F + max(S / workers + o * J / workers, c * J, longest)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--programs", default="mafft,bullet,7zip")
    ap.add_argument("--out", default=os.path.join(R.ROOT, "docs", "dask.md"))
    opts = ap.parse_args()
    modes = ["inprocess", "local-1", "local-2", "dask-1", "dask-2"]
    tmp = tempfile.mkdtemp(prefix="dtlto-dask-bench-")
    for w in (1, 2):
        subprocess.run(["/usr/bin/python3", CLUSTER, "start",
                        os.path.join(tmp, "cluster-%d" % w), "--workers", str(w),
                        "--lifetime", "7200"], check=True, stdout=subprocess.DEVNULL)
    rows, proj_rows, notes, loads = [], [], [], []
    try:
        for program in opts.programs.split(","):
            if not os.path.exists(os.path.join(R.WORK, program, "link")):
                notes.append("%s: not built (run bench/setup.sh, bench/build.sh)" % program)
                continue
            cwd, args = R.load_link(program)
            results = {m: [] for m in modes}
            reports = {m: [] for m in modes}
            digests = {m: set() for m in modes}
            for r in range(opts.runs):
                order = modes[r % len(modes):] + modes[:r % len(modes)]
                for m in order:
                    out = os.path.join(tmp, "%s-%s" % (program, m))
                    report = os.path.join(tmp, "report.json")
                    loads.append(R.loadavg())
                    results[m].append(R.measure(command(m, args, out, tmp, report, cwd), cwd))
                    digests[m].add(R.digest(out))
                    if m.startswith("dask"):
                        with open(report) as f:
                            reports[m].append(json.load(f))
            ref = R.check_program(program, os.path.join(tmp, "%s-local-2" % program))
            same = all(R.check_program(program, os.path.join(tmp, "%s-%s" % (program, m))) == ref
                       for m in modes)
            ident = digests["dask-1"] == digests["dask-2"] == digests["local-2"] and \
                len(digests["local-2"]) == 1
            base = statistics.median(x[0] for x in results["local-2"])
            for m in modes:
                walls = [x[0] for x in results[m]]
                cpus = [x[1] for x in results[m]]
                extra = "—"
                if reports[m]:
                    rp = reports[m]
                    J = len(rp[0]["jobs"])
                    over = [(x["wall"] - sum(j["end"] - j["start"] for j in x["jobs"])) / J * 1000
                            for x in rp]
                    extra = "%d jobs; shipped %.1f MB (%.1f MB if per job), returned %.1f MB; " \
                            "connect %.2f s; client CPU/job %.1f ms; overhead/job %s" % (
                                J, rp[0]["bytes_shipped"] / 1e6, rp[0]["bytes_if_per_job"] / 1e6,
                                rp[0]["bytes_returned"] / 1e6,
                                statistics.median(x["connect"] for x in rp),
                                statistics.median(x["client_cpu"] for x in rp) / J * 1000,
                                R.fmt(over, " ms", 1) if m == "dask-1" else "(parallel)")
                rows.append("| %s | %s | %s | %.2f× | %s | %s |" % (
                    program, m, R.fmt(walls, " s"), statistics.median(walls) / base,
                    R.fmt(cpus, " s"), extra))
            if reports["dask-1"]:
                i = min(range(len(results["dask-1"])),
                        key=lambda k: abs(results["dask-1"][k][0] -
                                          statistics.median(x[0] for x in results["dask-1"])))
                rep1, wall1 = reports["dask-1"][i], results["dask-1"][i][0]
                measured2 = statistics.median(x[0] for x in results["dask-2"])
                p = {w: project(rep1, wall1, w) for w in (1, 2, 8, 32, 128)}
                # On this machine the 2 workers share 2 cores with the linker,
                # client and scheduler: each compile is slower than alone.
                # The same model fed with the 2-worker compile times.
                s2 = statistics.median(compile_sum(x) for x in reports["dask-2"])
                p2c = project(rep1, wall1, 2, s2)
                proj_rows.append(
                    "| %s | %.2f s | %.2f s; with the 2-worker compile times (×%.2f) %.2f s; "
                    "measured %.2f s (%+.0f%%) | %.2f s | %.2f s | %.2f s |" % (
                        program, p[1], p[2], s2 / compile_sum(rep1), p2c, measured2,
                        (p2c / measured2 - 1) * 100, p[8], p[32], p[128]))
            notes.append("%s: program check %s; dask and local binaries identical and "
                         "stable run to run: %s" % (program, "same" if same else "DIFFERENT",
                                                     "yes" if ident else "NO"))
    finally:
        for w in (1, 2):
            subprocess.run(["/usr/bin/python3", CLUSTER, "stop",
                            os.path.join(tmp, "cluster-%d" % w)])
    header = ("Measured %s on this 2-core VM, %d runs per configuration, alternated within "
              "each round; both clusters idle in the background throughout. Load average "
              "before runs: median %.2f, max %.2f."
              % (time.strftime("%Y-%m-%d"), opts.runs,
                 statistics.median(loads) if loads else 0, max(loads) if loads else 0))
    text = [header, "",
            "| program | configuration | link wall median [min–max] | vs local-2 | "
            "link CPU (client side) | dtlto-dask (from --report) |",
            "|---|---|---|---|---|---|"] + rows + [
            "", "Projection (model in bench/dask.py) from the median 1-worker run:", "",
            "| program | 1 worker | 2 workers | 8 | 32 | 128 |", "|---|---|---|---|---|---|"] + \
        proj_rows + [""] + ["* " + n for n in notes]
    report = "\n".join(text)
    print(report)
    with open(opts.out + ".table", "w") as f:
        f.write(report + "\n")


if __name__ == "__main__":
    main()
