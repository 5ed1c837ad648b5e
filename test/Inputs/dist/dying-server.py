#!/usr/bin/python3
"""A stand-in for `dtlto-codegen --serve` / `--serve-fds=R:W,...` that dies
on its first job the first time it is started (it leaves a marker file),
and otherwise compiles each job with the real compiler, speaking the server
protocol on each lane (without common arguments on its command line, the
first request on each lane is them)."""
import os
import struct
import subprocess
import sys
import threading

common = sys.argv[2:]
marker = os.path.join(os.path.dirname(os.path.abspath(__file__)), "died")


def read_request(req):
    args, cur = [], b""
    while True:
        c = req.read(1)
        if not c:
            return None
        if c != b"\0":
            cur += c
        elif cur:
            args.append(cur.decode())
            cur = b""
        else:
            return args


def serve(req, rep):
    lane_common = common or read_request(req)
    while lane_common:
        args = read_request(req)
        if args is None:
            return
        if not os.path.exists(marker):
            open(marker, "w").close()
            os._exit(1)
        proc = subprocess.run(lane_common + args, stderr=subprocess.PIPE)
        rep.write(struct.pack("<II", proc.returncode, len(proc.stderr)))
        rep.write(proc.stderr)
        rep.flush()


if sys.argv[1] == "--serve":
    serve(sys.stdin.buffer, sys.stdout.buffer)
    sys.exit(0)
lanes = [pair.split(":") for pair in sys.argv[1].split("=", 1)[1].split(",")]
threads = [threading.Thread(target=serve, args=(os.fdopen(int(r), "rb", 0),
                                                os.fdopen(int(w), "wb")))
           for r, w in lanes]
for t in threads:
    t.start()
for t in threads:
    t.join()
