#!/usr/bin/python3
"""Compile every job of a DTLTO job file with the job's own compiler (the
reference, whose objects the file's outputs already hold) and with
dtlto-codegen, once per job in one-shot mode, three times per job through
one --serve process, and three times per job through one --serve-fds process
running LANES jobs at once, and count byte-identical objects.
Usage: compare-codegen.py <dtlto-codegen> <job file> [LANES, default 2]"""
import filecmp
import json
import os
import struct
import subprocess
import sys
import threading

codegen, jobfile = sys.argv[1], sys.argv[2]
lanes = int(sys.argv[3]) if len(sys.argv) > 3 else 2
with open(jobfile, encoding="utf-8") as f:
    data = json.load(f)
common = data["common"]["args"]

def with_output(job, suffix):
    """The job's arguments writing to <output><suffix>, which is removed
    first: a compile that claims success without writing cannot pass on an
    earlier run's file."""
    args = list(job["args"])
    path = job["outputs"][0] + suffix
    args[args.index("-o") + 1] = path
    if os.path.exists(path):
        os.remove(path)
    return args

same = 0
for job in data["jobs"]:
    subprocess.check_call([codegen] + common[1:] + with_output(job, ".one"))
    same += os.path.exists(job["outputs"][0] + ".one") and filecmp.cmp(
        job["outputs"][0], job["outputs"][0] + ".one", False)
print("one-shot: %d of %d identical" % (same, len(data["jobs"])))


def ask(to, frm, job, suffix):
    """One request on a server lane; True if the object is identical."""
    request = b"".join(a.encode() + b"\0" for a in with_output(job, suffix))
    to.write(request + b"\0")
    to.flush()
    status, length = struct.unpack("<II", frm.read(8))
    message = frm.read(length)
    if status:
        sys.stderr.write(message.decode(errors="replace"))
    out = job["outputs"][0] + suffix
    return (status == 0 and os.path.exists(out) and
            filecmp.cmp(job["outputs"][0], out, False))


server = subprocess.Popen([codegen, "--serve"] + common,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
same = sum(ask(server.stdin, server.stdout, job, ".srv%d" % (n // len(data["jobs"])))
           for n, job in enumerate(data["jobs"] * 3))
server.stdin.close()
server.wait()
print("server: %d of %d identical" % (same, len(data["jobs"]) * 3))

# One process, LANES threads: lane K compiles jobs K, K+LANES, ... of the
# list (each job three times, under its own output name per lane).
pipes = [(os.pipe(), os.pipe()) for _ in range(lanes)]
spec = ",".join("%d:%d" % (req[0], rep[1]) for req, rep in pipes)
server = subprocess.Popen([codegen, "--serve-fds=" + spec] + common,
                          pass_fds=[fd for req, rep in pipes
                                    for fd in (req[0], rep[1])])
results = []
def lane(k, req, rep):
    os.close(req[0])
    os.close(rep[1])
    with os.fdopen(req[1], "wb") as to, os.fdopen(rep[0], "rb") as frm:
        reps = list(enumerate(data["jobs"] * 3))[k::lanes]
        results.extend(ask(to, frm, job, ".lane%d.%d" % (k, n))
                       for n, job in reps)
threads = [threading.Thread(target=lane, args=(k, req, rep))
           for k, (req, rep) in enumerate(pipes)]
for t in threads:
    t.start()
for t in threads:
    t.join()
server.wait()
print("threads: %d of %d identical" % (sum(results), len(data["jobs"]) * 3))
