#!/usr/bin/python3
"""Codegen fidelity: are DTLTO's native objects byte-identical to in-process
ThinLTO's for the same link?

Replays each program's recorded final link (bench/build.sh) under each
option set, three ways:

  inprocess  Debian ld.lld-22, in-process ThinLTO (the reference)
  upstream   Debian ld.lld-22 DTLTO, bench/parallel-dist.py, clang-22
  ours       our ld.lld + dtlto-dist (codegen server), clang-22
  worker     our ld.lld + dtlto-dist, our worker (dtlto-codegen) as the
             remote compiler: LLVM's ThinLTO backend with the link's whole
             lto::Config

Every link runs with --save-temps=prelink, which makes lld write each
backend's native object as <out>.lto.<module>.o next to the module; those
are collected and compared module by module with the reference, and so are
the linked programs, and the side files the backends write (.dwo files with
dwo_dir, per-task remarks files), which every link writes under {tmp}/side.

  bench/fidelity.py [--programs mafft,bullet,7zip] [--sets default,O1,...]
                    [--modes upstream,ours] [--ours-bin build/bin]
                    [--out docs/fidelity.md]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
WORK = os.path.join(HERE, "work")
CLANG = "/usr/bin/clang-22"
UPSTREAM_LD = "/usr/bin/ld.lld-22"
SIMPLE_DIST = os.path.join(HERE, "parallel-dist.py")
NAME = "fidelity-out"
KEEP = os.environ.get("DTLTO_FIDELITY_KEEP")  # Keep the objects there.

# Option set name -> extra linker arguments; {tmp} is the scratch directory.
SETS = {
    "default": [],
    "O0": ["--lto-O0"],
    "O1": ["--lto-O1"],
    "O3": ["--lto-O3"],
    "mcpu": ["-plugin-opt=mcpu=x86-64-v3"],
    "sample-profile": ["--lto-sample-profile={tmp}/prof.txt"],
    "CGO0": ["--lto-CGO0"],
    "CGO1": ["--lto-CGO1"],
    "CGO3": ["--lto-CGO3"],
    "split-dwarf": ["--plugin-opt=dwo_dir={tmp}/side/dwo"],
    "remarks": ["--opt-remarks-filename", "{tmp}/side/r.yaml",
                "--opt-remarks-format", "yaml"],
    "pipeline": ["--lto-newpm-passes=default<O1>"],
    "mllvm": ["-mllvm", "-align-all-functions=6"],
    "no-pie": ["-no-pie"],
    "emit-asm": ["--lto-emit-asm"],
}


def load_link(program):
    d = os.path.join(WORK, program)
    with open(os.path.join(d, "link")) as f:
        cwd = f.read().strip()
    with open(os.path.join(d, "link.args"), "rb") as f:
        args = [a.decode() for a in f.read().split(b"\0") if a]
    return cwd, args


def search_dirs(cwd, args):
    """Where lld may put <out>.lto.<module>.o: beside each input."""
    dirs = {cwd}
    for a in args:
        p = os.path.join(cwd, a)
        if not a.startswith("-") and os.path.isfile(p):
            dirs.add(os.path.dirname(os.path.abspath(p)))
    return dirs


def collect(dirs, dest):
    """Move every <NAME>.lto.*.o into dest; returns the module names."""
    os.makedirs(dest, exist_ok=True)
    names = []
    prefix = NAME + ".lto."
    for d in dirs:
        for f in os.listdir(d):
            if f.startswith(prefix):
                # In-process ThinLTO names an archive member's module
                # "lib.a(m.o at 1234)"; DTLTO gives it a serialized copy
                # named "lib.a(m.o).<seq>.<hex tag>.o". Both become
                # "lib.a(m.o).o".
                name = re.sub(r" at \d+\)", ")", f[len(prefix):])
                name = re.sub(r"\)\.\d+\.[0-9A-F]+\.(o|s)$", r").\1", name)
                shutil.move(os.path.join(d, f), os.path.join(dest, name))
                names.append(name)
    return names


def command(mode, args, out, extra, ours_bin):
    args = list(args)
    args[args.index("-o") + 1] = out
    base = args + extra + ["--save-temps=prelink", "--thinlto-jobs=2"]
    if mode == "inprocess":
        return [UPSTREAM_LD] + base
    if mode == "upstream":
        return [UPSTREAM_LD] + base + [
            "--thinlto-distributor=" + SIMPLE_DIST,
            "--thinlto-distributor-arg=-j2",
            "--thinlto-remote-compiler=" + CLANG]
    compiler = (os.path.join(ours_bin, "dtlto-codegen") if mode == "worker"
                else CLANG)
    # Side files go outside the output's directory, which dtlto-dist
    # allows only when told.
    escape = (["--thinlto-distributor-arg=--allow-path-escape"]
              if any("/side/" in a for a in extra) else [])
    return [os.path.join(ours_bin, "ld.lld")] + base + escape + [
        "--thinlto-distributor=" + os.path.join(ours_bin, "dtlto-dist"),
        "--thinlto-distributor-arg=-j2",
        "--thinlto-remote-compiler=" + compiler]


def same(a, b):
    with open(a, "rb") as f, open(b, "rb") as g:
        return f.read() == g.read()


def same_records(a, b):
    def records(p):
        with open(p, "rb") as f:
            return [l for l in f if not l.lstrip().startswith(b"- ClobberedBy:")]
    return records(a) == records(b)


def side_files(mdir):
    """Files under <mode dir>/side, relative to it."""
    top = os.path.join(mdir, "side")
    return {os.path.relpath(os.path.join(r, f), top)
            for r, _, fs in os.walk(top) for f in fs}


def run_set(program, set_name, modes, ours_bin, tmp):
    cwd, args = load_link(program)
    dirs = search_dirs(cwd, args)
    collect(dirs, os.path.join(tmp, "stale"))  # Leftovers of a killed run.
    extra = [a.format(tmp=tmp) for a in SETS[set_name]]
    results = {}
    for mode in ["inprocess"] + modes:
        mdir = os.path.join(tmp, mode)
        outdir = os.path.join(mdir, "out")
        os.makedirs(outdir)
        shutil.rmtree(os.path.join(tmp, "side"), ignore_errors=True)
        os.makedirs(os.path.join(tmp, "side"))
        proc = subprocess.run(command(mode, args, os.path.join(outdir, NAME),
                                      extra, ours_bin),
                              cwd=cwd, capture_output=True)
        objs = collect(dirs | {outdir}, os.path.join(mdir, "objs"))
        if proc.returncode:
            results[mode] = "link failed: " + proc.stderr.decode()[-300:]
            continue
        shutil.move(os.path.join(tmp, "side"), os.path.join(mdir, "side"))
        results[mode] = objs
    ref = results["inprocess"]
    if isinstance(ref, str):
        sys.exit("%s %s: in-process %s" % (program, set_name, ref))
    row = {}
    for mode in modes:
        got = results[mode]
        if isinstance(got, str):
            row[mode] = got.strip().splitlines()[-1] if got.strip() else got
            continue
        mdir, rdir = os.path.join(tmp, mode), os.path.join(tmp, "inprocess")
        ident = sum(1 for m in ref if m in got and same(
            os.path.join(rdir, "objs", m), os.path.join(mdir, "objs", m)))
        rbin, mbin = (os.path.join(d, "out", NAME) for d in (rdir, mdir))
        binary = (os.path.exists(rbin) and os.path.exists(mbin) and
                  same(rbin, mbin))
        dwo = ""
        rside, mside = side_files(rdir), side_files(mdir)
        for kind, suffix in ((".dwo", ".dwo"), ("remarks", ".yaml")):
            rd = sorted(f for f in rside if f.endswith(suffix))
            if not rd:
                continue
            pairs = [(os.path.join(rdir, "side", f),
                      os.path.join(mdir, "side", f)) for f in rd if f in mside]
            dsame = sum(1 for a, b in pairs if same(a, b))
            dwo += ", %s %d/%d" % (kind, dsame, len(rd))
            if kind == "remarks":
                # In-process ThinLTO's own remarks differ run to run in
                # the ClobberedBy of some missed-GVN remarks.
                records = sum(1 for a, b in pairs if same_records(a, b))
                dwo += " (%d/%d but for ClobberedBy)" % (records, len(rd))
        row[mode] = "%d/%d%s, %s" % (
            ident, len(ref), dwo,
            "binary same" if binary else
            "binary differs" if os.path.exists(rbin) else "no binary")
    for mode in ["inprocess"] + modes:
        if KEEP:
            shutil.move(os.path.join(tmp, mode),
                        os.path.join(KEEP, program, set_name, mode))
        shutil.rmtree(os.path.join(tmp, mode), ignore_errors=True)
    return row


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--programs", default="mafft,bullet,7zip")
    ap.add_argument("--sets", default=",".join(SETS))
    ap.add_argument("--modes", default="upstream,ours,worker")
    ap.add_argument("--ours-bin", default=os.path.join(ROOT, "build", "bin"))
    ap.add_argument("--out", default=os.path.join(ROOT, "docs", "fidelity.md"))
    opts = ap.parse_args()
    modes = opts.modes.split(",")
    tmp = tempfile.mkdtemp(prefix="dtlto-fidelity-")
    with open(os.path.join(tmp, "prof.txt"), "w") as f:
        f.write("main:10000:100\n 1: 100\n 2: 5000\n")
    lines = ["| program | option set | " + " | ".join(modes) + " |",
             "|---|---|" + "---|" * len(modes)]
    try:
        for program in opts.programs.split(","):
            if not os.path.exists(os.path.join(WORK, program, "link")):
                print("%s: not built (bench/setup.sh, bench/build.sh)" % program)
                continue
            for s in opts.sets.split(","):
                row = run_set(program, s, modes, opts.ours_bin, tmp)
                line = "| %s | %s | %s |" % (program, s, " | ".join(
                    row[m] for m in modes))
                print(line, flush=True)
                lines.append(line)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    header = ("Measured %s: objects identical to in-process ThinLTO's "
              "(Debian ld.lld-22, --thinlto-jobs=2) per module, and whether "
              "the linked program is identical." % time.strftime("%Y-%m-%d"))
    report = "\n".join([header, ""] + lines)
    if opts.out:
        with open(opts.out + ".table", "w") as f:
            f.write(report + "\n")
        print("(table written to %s.table)" % opts.out)


if __name__ == "__main__":
    main()
