#!/usr/bin/python3
"""A stand-in for `dtlto-codegen --serve` that dies on its first request the
first time it is started (it leaves a marker file), and otherwise compiles
each job with the real compiler, speaking the server protocol."""
import os
import struct
import subprocess
import sys

common = sys.argv[2:]
marker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "died")
stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
while True:
    args, cur = [], b""
    while True:
        c = stdin.read(1)
        if not c:
            sys.exit(0)
        if c != b"\0":
            cur += c
        elif cur:
            args.append(cur.decode())
            cur = b""
        else:
            break
    if not os.path.exists(marker):
        open(marker, "w").close()
        os._exit(1)
    proc = subprocess.run(common + args, stderr=subprocess.PIPE)
    stdout.write(struct.pack("<II", proc.returncode, len(proc.stderr)))
    stdout.write(proc.stderr)
    stdout.flush()
