#!/usr/bin/python3
"""Link the bitcode objects given twice, in-process with Debian's ld.lld-22
and through DTLTO with our ld.lld and dtlto-dist, with --save-temps=prelink
and the extra driver flags given, and print for each ThinLTO module whether
its native object (or, with --lto-emit-asm, assembly) is byte-identical,
then whether the programs are.

  identity.py <clang> <bin dir> <objects...> -- <extra clang flags...>
"""
import glob
import os
import subprocess
import sys

clang, bindir = sys.argv[1:3]
rest = sys.argv[3:]
split = rest.index("--") if "--" in rest else len(rest)
objs, extra = rest[:split], rest[split + 1:]
for f in glob.glob("ip*") + glob.glob("dt*"):
    os.remove(f)
base = [clang, "-flto=thin", "-fuse-ld=lld"] + objs + extra + [
    "-Wl,--save-temps=prelink"]
subprocess.run(base + ["--ld-path=/usr/bin/ld.lld-22", "-o", "ip"], check=True)
subprocess.run(base + ["--ld-path=" + os.path.join(bindir, "ld.lld"),
                       "-fthinlto-distributor=" + os.path.join(bindir, "dtlto-dist"),
                       "-o", "dt"], check=True)
for obj in objs:
    stem = os.path.splitext(os.path.basename(obj))[0]
    got = [f for f in glob.glob("ip.lto.%s.*" % stem)]
    if len(got) != 1:
        print("%s: no in-process output" % stem)
        continue
    mine = "dt" + got[0][2:]
    with open(got[0], "rb") as a, open(mine, "rb") as b:
        print("%s%s: %s" % (stem, os.path.splitext(got[0])[1],
                            "same" if a.read() == b.read() else "DIFFERENT"))
if os.path.exists("ip"):
    with open("ip", "rb") as a, open("dt", "rb") as b:
        print("program: %s" % ("same" if a.read() == b.read() else "DIFFERENT"))
