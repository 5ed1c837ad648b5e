#!/usr/bin/python3
"""A distributor written only from the DTLTO contract (llvm/docs/DTLTO.rst),
independently of our job-file library: the job file is the last argument,
each job's command is common.args + job.args, outputs must exist locally,
and failure means a non-zero exit. Used to check that our linker works with
distributors that are not ours."""
import json
import subprocess
import sys

with open(sys.argv[-1], encoding="utf-8") as f:
    data = json.load(f)
for job in data["jobs"]:
    subprocess.check_call(data["common"]["args"] + job["args"])
