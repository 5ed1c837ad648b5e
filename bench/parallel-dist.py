#!/usr/bin/python3
"""The "simple parallel distributor" the benchmark gives Debian's ld.lld-22:
written only from the DTLTO contract, it runs common.args + job.args for
every job, -jN at a time, one compiler process per job, and fails if any
job fails. Usage: parallel-dist.py [-jN] <job file>"""
import json
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

jobs = 2
for a in sys.argv[1:-1]:
    if a.startswith("-j"):
        jobs = int(a[2:])
with open(sys.argv[-1], encoding="utf-8") as f:
    data = json.load(f)
common = data["common"]["args"]
with ThreadPoolExecutor(jobs) as pool:
    codes = list(pool.map(lambda j: subprocess.call(common + j["args"]),
                          data["jobs"]))
sys.exit(1 if any(codes) else 0)
