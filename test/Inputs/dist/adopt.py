#!/usr/bin/python3
"""adopt.py SERVER DIST ARGS...: what our linker does with an early codegen
server (lib/Backend/EarlyServer.cpp), for tests: start SERVER
--serve-fds=R:W,R:W (two lanes, no common arguments, a process group of its
own), then run DIST ARGS... with --codegen-server-fds=PID:TO:FROM,TO:FROM
before its last argument (the job file), the lanes' other ends inherited.
Exits with DIST's status once the server has ended too (at most 10 s)."""
import os
import subprocess
import sys

server, dist, args = sys.argv[1], sys.argv[2], sys.argv[3:]
ours, theirs, spec = [], [], []
for _ in range(2):
    req_r, req_w = os.pipe()
    rep_r, rep_w = os.pipe()
    theirs += [req_r, rep_w]
    ours += [req_w, rep_r]
    spec.append("%d:%d" % (req_r, rep_w))
srv = subprocess.Popen([server, "--serve-fds=" + ",".join(spec)],
                       pass_fds=theirs, start_new_session=True)
for fd in theirs:
    os.close(fd)
lanes = ",".join("%d:%d" % (ours[i], ours[i + 1]) for i in range(0, 4, 2))
arg = "--codegen-server-fds=%d:%s" % (srv.pid, lanes)
rc = subprocess.run([dist] + args[:-1] + [arg, args[-1]], pass_fds=ours).returncode
for fd in ours:
    os.close(fd)
try:
    srv.wait(timeout=10)
except subprocess.TimeoutExpired:
    srv.kill()
    sys.exit("adopt.py: the server did not end when its lanes closed")
sys.exit(rc)
