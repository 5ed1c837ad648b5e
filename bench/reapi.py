#!/usr/bin/python3
"""Build-farm benchmark: our ld.lld + dtlto-reapi on a loopback Buildbarn.

Replays each program's recorded link (bench/build.sh) side by side, the
configurations alternating within each round:

  local        our ld.lld + dtlto-dist -j2 (dtlto-codegen server), no cache
  local-clang  the same with --no-codegen: one clang-22 process per job, as
               the farm's workers run them
  local-warm   dtlto-dist -j2 with a warm --thinlto-cache-dir
  reapi-cold   dtlto-reapi on a farm started afresh for the run (empty CAS
               and action cache): bb_storage + bb_scheduler and 2 workers
               (utils/reapi-farm.py, loopback, one action at a time each)
  reapi-warm   the same link again, right after reapi-cold, in a clean output
               directory with no ThinLTO cache: every job from the action cache

The farm shares this machine's 2 cores with the linker. From --report: bytes
uploaded and downloaded, per-job time on the client and on the worker, and a
projection to a farm of 100 workers.

  bench/reapi.py [--runs 5] [--programs mafft,bullet] [--out docs/reapi-bench.md]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as R  # noqa: E402  (the link benchmark's helpers)

REAPI = os.path.join(R.ROOT, "build", "bin", "dtlto-reapi")
FARM = ["/usr/bin/python3", os.path.join(R.ROOT, "utils", "reapi-farm.py"),
        "--bin", os.path.join(R.ROOT, "build", "bin")]
MODES = ["local", "local-clang", "local-warm", "reapi-cold", "reapi-warm"]


def farm(*args):
    return subprocess.run(FARM + list(args), check=True, capture_output=True,
                          text=True).stdout.strip()


def command(mode, args, out, cache, report, endpoint):
    """The link for \\p mode; \\p out is relative to the link's directory."""
    if mode.startswith("local"):
        cmd = R.command("ours", 2, args, out, cache if mode == "local-warm" else None)
        if mode == "local-clang":
            cmd.insert(-1, "--thinlto-distributor-arg=--no-codegen")
        return cmd + ["--thinlto-distributor-arg=--report=" + report]
    args = list(args)
    args[args.index("-o") + 1] = out
    return [R.OUR_LD] + args + [
        "--thinlto-distributor=" + REAPI,
        "--thinlto-distributor-arg=--remote=" + endpoint,
        "--thinlto-distributor-arg=--report=" + report,
        "--thinlto-remote-compiler=" + R.CLANG]


def busy(j):
    """A job's time on the client, less its wait for a free worker (a
    cached result's metadata is from the run that made it)."""
    return j["end"] - j["start"] - (0 if j["cached"] else j.get("queued_s", 0))


def job_phase(rep):
    return max(j["end"] for j in rep["jobs"]) - min(j["start"] for j in rep["jobs"])


def project(cold, wall, warm, workers):
    """Link wall with W workers, from a 2-worker cold link and a warm one.

    T(W) = F + max(D / W, c * J, longest): F the link's time outside the job
    phase (front end, hashing and uploading, final link), D the summed time a
    job spends outside the queue (the worker fetching inputs, running clang,
    uploading outputs, and the client's calls and download), longest the
    longest such job, and c the client's serial cost per job, bounded by the
    warm link's job phase over its jobs (there every job is an action-cache
    hit, and the client's -j200 threads wait on nothing else).
    """
    jobs = cold["jobs"]
    d = [busy(j) for j in jobs]
    F = wall - job_phase(cold)
    c = job_phase(warm) / len(warm["jobs"])
    return F + max(sum(d) / workers, c * len(jobs), max(d))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--programs", default="mafft,bullet")
    ap.add_argument("--out", default=os.path.join(R.ROOT, "docs", "reapi-bench.md"))
    opts = ap.parse_args()
    farm("build")
    tmp = tempfile.mkdtemp(prefix="dtlto-reapi-bench-")
    fdir = os.path.join(tmp, "farm")
    rows, proj_rows, byte_rows, notes, loads = [], [], [], [], []
    try:
        for program in opts.programs.split(","):
            if not os.path.exists(os.path.join(R.WORK, program, "link")):
                notes.append("%s: not built (run bench/setup.sh, bench/build.sh)" % program)
                continue
            cwd, args = R.load_link(program)
            # Relative paths, as a build system gives them (the farm cannot
            # read absolute ones); one output name for cold and warm links,
            # since our linker names archive members after it.
            outdir = os.path.join(cwd, "dtlto-reapi-bench")
            out = os.path.join("dtlto-reapi-bench", "app")
            cache = os.path.join(tmp, "cache-" + program)
            shutil.rmtree(outdir, ignore_errors=True)
            os.makedirs(outdir)
            subprocess.run(command("local-warm", args, out, cache, os.path.join(tmp, "r.json"), ""),
                           cwd=cwd, check=True, capture_output=True)
            results = {m: [] for m in MODES}
            reports = {m: [] for m in MODES}
            digests = {m: set() for m in MODES}
            checks = {}
            for r in range(opts.runs):
                # The farm afresh: an empty CAS and action cache.
                subprocess.run(FARM + ["stop", fdir], capture_output=True)
                shutil.rmtree(fdir, ignore_errors=True)
                endpoint = farm("start", fdir, "--workers", "2", "--lifetime", "3600")
                # reapi-warm right after reapi-cold; the pair's place rotates.
                order = ["local", "local-clang", "local-warm"]
                order.insert(r % 4, "reapi")
                for m in order:
                    for mm in (["reapi-cold", "reapi-warm"] if m == "reapi" else [m]):
                        shutil.rmtree(outdir, ignore_errors=True)
                        os.makedirs(outdir)
                        report = os.path.join(tmp, "report.json")
                        if os.path.exists(report):
                            os.unlink(report)
                        loads.append(R.loadavg())
                        results[mm].append(R.measure(
                            command(mm, args, out, cache, report, endpoint), cwd))
                        # No report: every job came from the ThinLTO cache
                        # and no distributor ran.
                        if os.path.exists(report):
                            with open(report) as f:
                                reports[mm].append(json.load(f))
                        binary = os.path.join(cwd, out)
                        digests[mm].add(R.digest(binary))
                        if mm not in checks:
                            checks[mm] = repr(R.check_program(program, binary))
            shutil.rmtree(outdir, ignore_errors=True)
            J = len(reports["local"][0]["jobs"])
            base = statistics.median(x[0] for x in results["local"])
            for m in MODES:
                walls = [x[0] for x in results[m]]
                extra = ""
                if not reports[m]:
                    extra = "no distributor ran (every job from the ThinLTO cache)"
                elif m.startswith("reapi"):
                    per = [statistics.median(busy(j) for j in rp["jobs"]) * 1000
                           for rp in reports[m]]
                    execs = [statistics.median(j.get("execution_s", 0) for j in rp["jobs"]) * 1000
                             for rp in reports[m]]
                    cached = [sum(j["cached"] for j in rp["jobs"]) for rp in reports[m]]
                    extra = "cached %d–%d of %d; per job, median: client %s (less queueing), " \
                            "clang on the worker %s" % (min(cached), max(cached), J, R.fmt(per, " ms", 1),
                                            R.fmt(execs, " ms", 1) if m == "reapi-cold" else "—")
                else:
                    per = [statistics.median(j["end"] - j["start"] for j in rp["jobs"]) * 1000
                           for rp in reports[m]]
                    extra = "per job, median: %s" % R.fmt(per, " ms", 1)
                rows.append("| %s | %s | %s | %.2f× | %s |" % (
                    program, m, R.fmt(walls, " s"), statistics.median(walls) / base, extra))
            med = {m: statistics.median(x[0] for x in results[m]) for m in MODES}
            over = (med["reapi-cold"] - med["local-clang"]) / J * 1000
            notes.append(
                "%s (%d jobs): reapi-cold costs %.1f ms per job more than local-clang "
                "(same one-clang-per-job compiles), %.1f ms more than local; reapi-warm "
                "is %.2f× local-warm (target ≤ 1.5×)" % (
                    program, J, over, (med["reapi-cold"] - med["local"]) / J * 1000,
                    med["reapi-warm"] / med["local-warm"]))
            up1 = [sum(j["bytes_uploaded"] for j in rp["jobs"]) for rp in reports["reapi-cold"]]
            up2 = [sum(j["bytes_uploaded"] for j in rp["jobs"]) for rp in reports["reapi-warm"]]
            dn1 = [sum(j["bytes_downloaded"] for j in rp["jobs"]) for rp in reports["reapi-cold"]]
            dn2 = [sum(j["bytes_downloaded"] for j in rp["jobs"]) for rp in reports["reapi-warm"]]
            byte_rows.append("| %s | %.2f MB | %.2f MB | %.2f MB | %.2f MB |" % (
                program, statistics.median(up1) / 1e6, statistics.median(up2) / 1e6,
                statistics.median(dn1) / 1e6, statistics.median(dn2) / 1e6))
            # Projection from the run whose cold wall is the median.
            i = min(range(opts.runs), key=lambda k: abs(results["reapi-cold"][k][0] -
                                                         med["reapi-cold"]))
            cold, wall, warm = reports["reapi-cold"][i], results["reapi-cold"][i][0], \
                reports["reapi-warm"][i]
            p = {w: project(cold, wall, warm, w) for w in (2, 8, 32, 100)}
            proj_rows.append("| %s | %.2f s (measured %.2f s) | %.2f s | %.2f s | %.2f s |" % (
                program, p[2], med["reapi-cold"], p[8], p[32], p[100]))
            same = len(set(checks.values())) == 1
            ident = len(set().union(*digests.values())) == 1
            notes.append("%s: program check %s in every configuration; binaries identical "
                         "across configurations and runs: %s" % (
                             program, "the same" if same else "DIFFERENT",
                             "yes" if ident else "NO"))
    finally:
        subprocess.run(FARM + ["stop", fdir], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)
    header = ("Measured %s on this 2-core VM, %d runs per configuration, alternated within "
              "each round; the farm (bb_storage, bb_scheduler, 2 dtlto-reapi-testworker "
              "workers) runs on the same machine. Load average before runs: median %.2f, "
              "max %.2f." % (time.strftime("%Y-%m-%d"), opts.runs,
                             statistics.median(loads) if loads else 0,
                             max(loads) if loads else 0))
    text = [header, "",
            "| program | configuration | link wall median [min–max] | vs local | from --report |",
            "|---|---|---|---|---|"] + rows + [
            "", "Bytes (medians; from dtlto-reapi's --report):", "",
            "| program | up, first link | up, second link | down, first | down, second |",
            "|---|---|---|---|---|"] + byte_rows + [
            "", "Projection (model in bench/reapi.py) from the median cold run:", "",
            "| program | 2 workers | 8 | 32 | 100 |", "|---|---|---|---|---|"] + proj_rows + \
        [""] + ["* " + n for n in notes]
    report = "\n".join(text)
    print(report)
    with open(opts.out, "w") as f:
        f.write(report + "\n")


if __name__ == "__main__":
    main()
