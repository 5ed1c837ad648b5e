#!/usr/bin/python3
"""Link the bitcode objects given twice, in-process with Debian's ld.lld-22
(in ip/) and through DTLTO with our ld.lld and dtlto-dist (in dt/), each
on its own copies of the objects, as `-o app` with --save-temps=prelink and the extra driver flags given, and
print for each ThinLTO module whether its native object (or, with
--lto-emit-asm, assembly) is byte-identical, then whether the programs are,
then every split-DWARF (.dwo) and per-task remarks file (*.thin.<task>.*)
either link wrote.

  identity.py [--worker] <clang> <bin dir> <objects...> -- <extra flags...>

--worker makes our worker (dtlto-codegen) the remote compiler instead of
the clang the driver names.
"""
import glob
import json
import os
import shutil
import subprocess
import sys

args = sys.argv[1:]
worker = args[0] == "--worker"
if worker:
    args = args[1:]
clang, bindir = args[:2]
rest = args[2:]
split = rest.index("--") if "--" in rest else len(rest)
objs, extra = rest[:split], rest[split + 1:]
# Each link gets its own copies of the inputs (lld writes save-temps files
# beside each input), under the same names.
for d in ("ip", "dt"):
    shutil.rmtree(d, ignore_errors=True)
    os.mkdir(d)
    for o in objs:
        shutil.copy(o, d)
names = [os.path.basename(o) for o in objs]
base = [clang, "-flto=thin", "-fuse-ld=lld"] + names + extra + [
    "-Wl,--save-temps=prelink", "-o", "app"]
subprocess.run(base + ["--ld-path=/usr/bin/ld.lld-22"], check=True, cwd="ip")
ours = base + ["--ld-path=" + os.path.join(bindir, "ld.lld"),
               "-fthinlto-distributor=" + os.path.join(bindir, "dtlto-dist")]
if worker:
    ours.append("-Wl,--thinlto-remote-compiler=" +
                os.path.join(bindir, "dtlto-codegen"))
# The distributor's report shows the link really went through DTLTO.
report = os.path.abspath("dt-report.json")
if os.path.exists(report):
    os.remove(report)
ours.append("-Wl,--thinlto-distributor-arg=--report=" + report)
subprocess.run(ours, check=True, cwd="dt")
with open(report) as f:
    jobs = len(json.load(f)["jobs"])
modules = len(glob.glob("ip/app.lto.*"))
if jobs != modules:
    sys.exit("identity.py: %d DTLTO jobs for %d ThinLTO modules" % (jobs, modules))


def same(a, b):
    with open(a, "rb") as x, open(b, "rb") as y:
        return x.read() == y.read()


def same_records(a, b):
    def records(p):
        with open(p, "rb") as f:
            return [l for l in f if not l.lstrip().startswith(b"- ClobberedBy:")]
    return records(a) == records(b)


def compare(name, ip, dt):
    ok = dt is not None and same(ip, dt)
    print("%s: %s" % (name, "same" if ok else "DIFFERENT"))


for obj in objs:
    base_name = os.path.basename(obj)
    if base_name.endswith(".a"):
        # Members: in-process "app.lto.lib.a(m.o at 80).o", ours
        # "app.lto.lib.a(m.o).<seq>.<tag>.o".
        for got in sorted(glob.glob("ip/app.lto.%s(*" % glob.escape(base_name))):
            member = got[len("ip/app.lto."):].split(")")[0].split(" at ")[0]
            mine = glob.glob("dt/app.lto.%s).*" % glob.escape(member))
            compare(member + ")", got, mine[0] if len(mine) == 1 else None)
        continue
    stem = os.path.splitext(base_name)[0]
    got = glob.glob("ip/app.lto.%s.*" % stem)
    if len(got) != 1:
        print("%s: no in-process output" % stem)
        continue
    mine = "dt" + got[0][2:]
    compare(stem + os.path.splitext(got[0])[1], got[0],
            mine if os.path.exists(mine) else None)
if os.path.exists("ip/app"):
    print("program: %s" % ("same" if same("ip/app", "dt/app") else "DIFFERENT"))


def side_files(d):
    out = set()
    for root, _, files in os.walk(d):
        for f in files:
            if f.endswith(".dwo") or ".thin." in f:
                out.add(os.path.relpath(os.path.join(root, f), d))
    return out


for f in sorted(side_files("ip") | side_files("dt")):
    a, b = os.path.join("ip", f), os.path.join("dt", f)
    if not os.path.exists(b):
        print("%s: missing" % f)
    elif not os.path.exists(a):
        print("%s: extra" % f)
    elif same(a, b):
        print("%s: same" % f)
    elif ".thin." in f and same_records(a, b):
        # In-process ThinLTO's remarks vary run to run in the ClobberedBy
        # of some missed-GVN remarks.
        print("%s: same but for ClobberedBy" % f)
    else:
        print("%s: DIFFERENT" % f)
