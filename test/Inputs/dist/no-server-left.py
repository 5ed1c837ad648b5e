#!/usr/bin/python3
"""no-server-left.py DIR: succeeds once no dtlto-codegen process runs in
DIR (its working directory); fails after 5 s, naming the ones left."""
import os
import sys
import time

target = os.path.realpath(sys.argv[1])


def left():
    found = []
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open("/proc/%s/comm" % pid) as f:
                if f.read().strip() != "dtlto-codegen":
                    continue
            if os.readlink("/proc/%s/cwd" % pid) == target:
                found.append(pid)
        except OSError:
            pass
    return found


for _ in range(100):
    if not left():
        sys.exit(0)
    time.sleep(0.05)
sys.exit("dtlto-codegen still running in %s: %s" % (target, " ".join(left())))
