#!/usr/bin/python3
"""Compile every job of a DTLTO job file with the job's own compiler (the
reference, whose objects the file's outputs already hold) and with
dtlto-codegen, once per job in one-shot mode and three times per job through
one --serve process, and count byte-identical objects.
Usage: compare-codegen.py <dtlto-codegen> <job file>"""
import filecmp
import json
import struct
import subprocess
import sys

codegen, jobfile = sys.argv[1], sys.argv[2]
with open(jobfile, encoding="utf-8") as f:
    data = json.load(f)
common = data["common"]["args"]

def with_output(job, suffix):
    args = list(job["args"])
    args[args.index("-o") + 1] = job["outputs"][0] + suffix
    return args

same = 0
for job in data["jobs"]:
    subprocess.check_call([codegen] + common[1:] + with_output(job, ".one"))
    same += filecmp.cmp(job["outputs"][0], job["outputs"][0] + ".one", False)
print("one-shot: %d of %d identical" % (same, len(data["jobs"])))

server = subprocess.Popen([codegen, "--serve"] + common,
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE)
same = total = 0
for job in data["jobs"] * 3:
    request = b"".join(a.encode() + b"\0" for a in with_output(job, ".srv"))
    server.stdin.write(request + b"\0")
    server.stdin.flush()
    status, length = struct.unpack("<II", server.stdout.read(8))
    message = server.stdout.read(length)
    if status:
        sys.stderr.write(message.decode(errors="replace"))
    total += 1
    same += status == 0 and filecmp.cmp(job["outputs"][0],
                                        job["outputs"][0] + ".srv", False)
server.stdin.close()
server.wait()
print("server: %d of %d identical" % (same, total))
