#!/usr/bin/python3
"""Link benchmark: in-process ThinLTO vs Debian ld.lld-22 DTLTO vs our DTLTO.

Replays each program's recorded final link (bench/build.sh) under every
configuration, alternating configurations within each round so that machine
drift hits all of them alike, and reports medians with min-max:

  inprocess  Debian ld.lld-22, --thinlto-jobs=N
  upstream   Debian ld.lld-22 DTLTO, bench/parallel-dist.py -jN (one clang
             process per job)
  ours       our ld.lld + dtlto-dist -jN (dtlto-codegen servers)
  ours-worker  the same with our worker as the remote compiler (LLVM's
             ThinLTO backend with the link's configuration file, instead of
             clang's driver and cc1)
  ours-outdir  ours with the link's files beside the output
             (--thinlto-temp-dir=<output dir>: LLVM 22's place) instead
             of in memory
  ours-late  ours with the codegen server started by dtlto-dist, not by
             the linker (DTLTO_EARLY_SERVER=0)
  ours-before  both: what our build did before issue 15's changes

for N in --jobs, cold (no cache) and warm (a populated --thinlto-cache-dir).
Measured: wall time, CPU time of the whole link (linker, distributor and
compilers), linker peak RSS (VmHWM of the linker process alone), and the
extra CPU per backend job over in-process. Each program's own check is run
on every configuration's output, and outputs are compared run to run.

  bench/run.py [--runs 5] [--jobs 1,2] [--programs mafft,bullet,7zip,lua,leveldb]
               [--modes inprocess,upstream,ours[,ours-procs,ours-worker,
                        ours-outdir,ours-late,ours-before]]
               [--out docs/benchmark.md]
"""
import argparse
import hashlib
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORK = os.path.join(HERE, "work")
CLANG = "/usr/bin/clang-22"
UPSTREAM_LD = "/usr/bin/ld.lld-22"
OUR_LD = os.path.join(ROOT, "build", "bin", "ld.lld")
OUR_DIST = os.path.join(ROOT, "build", "bin", "dtlto-dist")
OUR_WORKER = os.path.join(ROOT, "build", "bin", "dtlto-codegen")
SIMPLE_DIST = os.path.join(HERE, "parallel-dist.py")


def load_link(program):
    d = os.path.join(WORK, program)
    with open(os.path.join(d, "link")) as f:
        cwd = f.read().strip()
    with open(os.path.join(d, "link.args"), "rb") as f:
        args = [a.decode() for a in f.read().split(b"\0") if a]
    return cwd, args


def count_jobs(cwd, args, tmp):
    """The number of backend jobs: those in our linker's job file."""
    out = os.path.join(tmp, "count", "out")
    os.makedirs(os.path.dirname(out), exist_ok=True)
    cmd = command("ours", 2, args, out, None) + ["--save-temps"]
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
    n = 0
    for f in os.listdir(os.path.dirname(out)):
        if f.endswith(".dist-file.json"):
            with open(os.path.join(os.path.dirname(out), f)) as j:
                n = len(json.load(j)["jobs"])
    shutil.rmtree(os.path.dirname(out))
    return n


def command(mode, jobs, args, out, cache):
    args = list(args)
    args[args.index("-o") + 1] = out
    extra = []
    if cache:
        extra.append("--thinlto-cache-dir=" + cache)
    jobs_flag = ["--thinlto-jobs=%d" % jobs]
    if mode == "inprocess":
        return [UPSTREAM_LD] + args + extra + jobs_flag
    linker, dist = {"upstream": (UPSTREAM_LD, SIMPLE_DIST),
                    "ours": (OUR_LD, OUR_DIST),
                    "ours-procs": (OUR_LD, OUR_DIST),
                    "ours-worker": (OUR_LD, OUR_DIST),
                    "ours-outdir": (OUR_LD, OUR_DIST),
                    "ours-late": (OUR_LD, OUR_DIST),
                    "ours-before": (OUR_LD, OUR_DIST)}[mode]
    # ours-procs: one dtlto-codegen process per job slot (the previous
    # design) instead of one process running the jobs on threads.
    procs = ["--thinlto-distributor-arg=--codegen-processes"] * (
        mode == "ours-procs")
    if mode in ("ours-outdir", "ours-before"):
        procs.append("--thinlto-temp-dir=" + (os.path.dirname(out) or "."))
    return [linker] + args + extra + jobs_flag + [
        "--thinlto-distributor=" + dist,
        "--thinlto-distributor-arg=-j%d" % jobs] + procs + [
        "--thinlto-remote-compiler=" +
        (OUR_WORKER if mode == "ours-worker" else CLANG)]


def peak_rss_kib(pid, stop, result):
    """Poll the linker's own VmHWM (its descendants are not counted)."""
    path = "/proc/%d/status" % pid
    while not stop.is_set():
        try:
            with open(path) as f:
                for line in f:
                    if line.startswith("VmHWM:"):
                        result[0] = max(result[0], int(line.split()[1]))
        except OSError:
            return
        time.sleep(0.005)


def environment(mode):
    """The environment a mode's link runs in."""
    if mode in ("ours-late", "ours-before"):
        return dict(os.environ, DTLTO_EARLY_SERVER="0")
    return None


def measure(cmd, cwd, env=None):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, env=env)
    stop, rss = threading.Event(), [0]
    poller = threading.Thread(target=peak_rss_kib, args=(proc.pid, stop, rss))
    poller.start()
    _, err = proc.communicate()
    wall = time.perf_counter() - start
    stop.set()
    poller.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        sys.exit("link failed: %s\n%s" % (" ".join(cmd), err.decode()))
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, rss[0]


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def check_program(program, binary):
    """The program's own quick check; returns its output."""
    program = program.removesuffix("-g")  # The same program, with -g.
    if program == "bullet":
        return subprocess.run([binary], capture_output=True, check=True).stdout
    if program == "mafft":
        src = os.path.realpath(os.path.join(WORK, "mafft", "src"))
        with tempfile.TemporaryDirectory() as bins:
            for f in os.listdir(os.path.join(src, "binaries")):
                shutil.copy(os.path.join(src, "binaries", f), bins)
            shutil.copy(binary, os.path.join(bins, "dvtditr"))
            env = dict(os.environ, MAFFT_BINARIES=bins)
            return subprocess.run(
                ["bash", os.path.join(src, "scripts", "mafft"), "--quiet",
                 "--localpair", "--maxiterate", "100",
                 os.path.join(src, "test", "sample")],
                capture_output=True, check=True, env=env).stdout
    if program == "7zip":
        with tempfile.TemporaryDirectory() as d:
            data = os.path.join(d, "data.txt")
            with open(data, "w") as f:
                f.write("dtlto benchmark " * 5000)
            subprocess.run([binary, "a", "-bd", "-mx=5", os.path.join(d, "a.7z"),
                            data], capture_output=True, check=True)
            return subprocess.run([binary, "t", "-bd", os.path.join(d, "a.7z")],
                                  capture_output=True, check=True).stdout.split(
                                      b"\n")[-3:]
    if program == "lua":
        return subprocess.run([binary, os.path.join(HERE, "programs",
                                                    "lua-check.lua")],
                              capture_output=True, check=True).stdout
    if program == "leveldb":
        return subprocess.run([binary], capture_output=True, check=True).stdout
    raise ValueError(program)


def loadavg():
    with open("/proc/loadavg") as f:
        return float(f.read().split()[0])


def fmt(values, unit="", digits=2):
    med = statistics.median(values)
    return "%.*f%s [%.*f–%.*f]" % (digits, med, unit, digits, min(values),
                                   digits, max(values))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--jobs", default="1,2")
    ap.add_argument("--programs", default="mafft,bullet,7zip,lua,leveldb")
    ap.add_argument("--modes", default="inprocess,upstream,ours",
                    help="inprocess (always measured first), upstream, ours, "
                    "ours-procs, ours-worker, ours-outdir, ours-late, "
                    "ours-before")
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "benchmark.md"))
    opts = ap.parse_args()
    jobs_list = [int(j) for j in opts.jobs.split(",")]
    modes = ["inprocess"] + [m for m in opts.modes.split(",")
                             if m != "inprocess"]
    rows, notes, loads = [], [], []
    tmp = tempfile.mkdtemp(prefix="dtlto-bench-")
    for program in opts.programs.split(","):
        if not os.path.exists(os.path.join(WORK, program, "link")):
            notes.append("%s: not built (run bench/setup.sh, bench/build.sh)"
                         % program)
            continue
        cwd, args = load_link(program)
        njobs = count_jobs(cwd, args, tmp)
        configs = [(m, j, c) for j in jobs_list for c in ("cold", "warm")
                   for m in modes]
        results = {cfg: [] for cfg in configs}
        outputs = {cfg: set() for cfg in configs}
        caches = {}
        for cfg in configs:  # Populate the warm caches once.
            m, j, c = cfg
            if c == "warm":
                caches[cfg] = os.path.join(tmp, "cache-%s-%s-%d" % (program, m, j))
                out = os.path.join(tmp, "warmup")
                subprocess.run(command(m, j, args, out, caches[cfg]), cwd=cwd,
                               check=True, capture_output=True,
                               env=environment(m))
        for r in range(opts.runs):
            order = configs[r % len(configs):] + configs[:r % len(configs)]
            for cfg in order:
                m, j, c = cfg
                out = os.path.join(tmp, "%s-%s-%d-%s" % (program, m, j, c))
                loads.append(loadavg())
                results[cfg].append(measure(command(m, j, args, out,
                                                    caches.get(cfg)), cwd,
                                            environment(m)))
                outputs[cfg].add(digest(out))
        # Behaviour: every configuration's program passes the same check.
        reference = None
        behaviour = "same"
        for cfg in configs:
            m, j, c = cfg
            out = os.path.join(tmp, "%s-%s-%d-%s" % (program, m, j, c))
            got = check_program(program, out)
            reference = got if reference is None else reference
            if got != reference:
                behaviour = "DIFFERENT (%s %d %s)" % cfg
        stable = all(len(v) == 1 for v in outputs.values())
        def same_binary(mode):
            return all(outputs[(mode, j, c)] == outputs[("inprocess", j, c)]
                       for j in jobs_list for c in ("cold", "warm"))
        notes.append("%s: %d backend jobs (ThinLTO modules) in the link; program check: %s; "
                     "each configuration's output byte-identical run to run: "
                     "%s; binary identical to in-process ThinLTO's: %s"
                     % (program, njobs, behaviour, "yes" if stable else "NO",
                        ", ".join("%s %s" % (m, "yes" if same_binary(m) else "no")
                                  for m in modes if m != "inprocess")))
        for j in jobs_list:
            for c in ("cold", "warm"):
                base = results[("inprocess", j, c)]
                bw = statistics.median(x[0] for x in base)
                bc = statistics.median(x[1] for x in base)
                for m in modes:
                    res = results[(m, j, c)]
                    walls = [x[0] for x in res]
                    cpus = [x[1] for x in res]
                    rss = [x[2] / 1024 for x in res]
                    per_job = ((statistics.median(cpus) - bc) / njobs * 1000
                               if m != "inprocess" and njobs else None)
                    rows.append("| %s | %d | %s | %s | %s | %.2f× | %s | %.2f× | %s | %s |" % (
                        program, j, c, m, fmt(walls, " s"),
                        statistics.median(walls) / bw, fmt(cpus, " s"),
                        statistics.median(cpus) / bc, fmt(rss, " MiB", 0),
                        "—" if per_job is None else "%+.1f ms" % per_job))
    shutil.rmtree(tmp, ignore_errors=True)
    with open("/proc/cpuinfo") as f:
        model = next((l.split(":", 1)[1].strip() for l in f
                      if l.startswith("model name")), "unknown CPU")
    text = ["| program | N | cache | mode | wall median [min–max] | wall vs in-process | CPU median [min–max] | CPU vs in-process | linker peak RSS | extra CPU per job |",
            "|---|---|---|---|---|---|---|---|---|---|"] + rows
    header = ("Measured %s on %s (%d cores), %d runs per configuration, "
              "configurations alternated within each round. Load average "
              "before runs: median %.2f, max %.2f."
              % (time.strftime("%Y-%m-%d"), model, os.cpu_count(), opts.runs,
                 statistics.median(loads) if loads else 0,
                 max(loads) if loads else 0))
    report = "\n".join([header, ""] + text + [""] + ["* " + n for n in notes])
    print(report)
    if opts.out:
        with open(opts.out + ".table", "w") as f:
            f.write(report + "\n")
        print("\n(table written to %s.table)" % opts.out)


if __name__ == "__main__":
    main()
