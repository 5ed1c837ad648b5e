#!/usr/bin/python3
# ===- dask-cluster.py - A throwaway Dask cluster for tests and benchmarks -===#
#
# Part of the dtlto project, under the Apache License v2.0 with LLVM
# Exceptions. See LICENSE for license information.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===----------------------------------------------------------------------===#
#
# Starts a Dask scheduler and workers in the background and stops them again,
# so a lit test or the benchmark can run dtlto-dask against a real cluster:
#
#   dask-cluster.py start DIR [--workers N] [--no-tls] [--netns] [--hide PATH]...
#       prints the scheduler's address once every worker has joined;
#       DIR/scheduler.json is the scheduler file, DIR/tls/ the certificates
#       (ca.pem, node.pem, node.key; stranger.* are signed by another CA)
#   dask-cluster.py kill-worker DIR K   SIGKILL worker K (1-based)
#   dask-cluster.py stop DIR            stops everything started in DIR
#
# The scheduler listens on a free port and, unless --no-tls, speaks only
# mutual TLS with certificates made for this cluster: it runs as whoever
# started it (root in CI), so nobody else may join it or use it. --no-tls is
# for loopback tests of plaintext clusters. --netns puts each worker in its own
# network namespace behind a bridge, with a private tmpfs as its scratch
# directory and over every --hide path, so the workers cannot see the client's files. A
# watchdog stops the cluster after --lifetime seconds whatever happens to the
# caller, so a failing test leaves nothing running.
#
# ===----------------------------------------------------------------------===#

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time

PY = "/usr/bin/python3"


def record(d, kind, value):
    with open(os.path.join(d, "cluster.state"), "a") as f:
        f.write(f"{kind} {value}\n")


def state(d):
    try:
        with open(os.path.join(d, "cluster.state")) as f:
            return [line.split(" ", 1) for line in f.read().splitlines()]
    except OSError:
        return []


def make_tls(d, ips):
    """A CA, a certificate for every node (valid for localhost and the given
    IP addresses), and an unrelated second CA with a node certificate."""
    t = os.path.join(d, "tls")
    os.makedirs(t, exist_ok=True)

    def ossl(*args):
        subprocess.run(["openssl", *args], check=True, cwd=t,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    for ca in ("ca", "other-ca"):
        ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", f"/CN=dtlto test {ca}", "-keyout", f"{ca}.key", "-out", f"{ca}.pem")
    with open(os.path.join(t, "san.ext"), "w") as f:
        f.write("subjectAltName=" + ",".join(
            ["DNS:localhost"] + [f"IP:{ip}" for ip in ["127.0.0.1", *ips]]) + "\n")
    for node, ca in (("node", "ca"), ("stranger", "other-ca")):
        ossl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={node}",
             "-keyout", f"{node}.key", "-out", f"{node}.csr")
        ossl("x509", "-req", "-in", f"{node}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
             "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", f"{node}.pem")
    return ["--tls-ca-file", f"{t}/ca.pem", "--tls-cert", f"{t}/node.pem",
            "--tls-key", f"{t}/node.key"]


def spawn(d, name, argv):
    log = open(os.path.join(d, f"{name}.log"), "wb")
    p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                         start_new_session=True)
    record(d, "pid", f"{p.pid} {name}")
    return p


def start(a):
    d = os.path.abspath(a.dir)
    os.makedirs(d, exist_ok=True)
    open(os.path.join(d, "cluster.state"), "a").close()
    # The watchdog first: whatever happens next, the cluster dies with it.
    spawn(d, "watchdog", [PY, os.path.abspath(__file__), "watchdog", d, str(a.lifetime)])
    host = "127.0.0.1"
    ips = []
    if a.netns:
        tag = f"{os.getpid() % 100000}"
        net = f"10.{random.randint(64, 127)}.{random.randint(0, 255)}"
        ips = [f"{net}.{k}" for k in range(1, a.workers + 2)]
    tls = make_tls(d, ips) if a.tls else []
    if a.netns:
        bridge = f"dtb{tag}"
        sh = lambda *c: subprocess.run(c, check=True)
        sh("ip", "link", "add", bridge, "type", "bridge")
        record(d, "link", bridge)
        sh("ip", "addr", "add", f"{net}.1/24", "dev", bridge)
        sh("ip", "link", "set", bridge, "up")
        host = f"{net}.1"
    sched_file = os.path.join(d, "scheduler.json")
    spawn(d, "scheduler", [PY, "-m", "distributed.cli.dask_scheduler", "--host", host,
                           "--port", "0", "--scheduler-file", sched_file, "--no-dashboard",
                           "--protocol", "tls" if tls else "tcp", *tls])
    deadline = time.monotonic() + 60
    while not os.path.exists(sched_file):
        if time.monotonic() > deadline:
            sys.exit("dask-cluster: the scheduler did not start; see " + d + "/scheduler.log")
        time.sleep(0.05)
    time.sleep(0.1)
    with open(sched_file) as f:
        address = json.load(f)["address"]
    for k in range(1, a.workers + 1):
        wdir = os.path.join(d, f"w{k}")
        os.makedirs(wdir, exist_ok=True)
        worker = [PY, "-m", "distributed.cli.dask_worker", address, "--name", f"w{k}",
                  "--nthreads", "1", "--no-nanny", "--death-timeout", "30",
                  "--no-dashboard", *tls]
        if not a.netns:
            spawn(d, f"w{k}", worker + ["--local-directory", wdir])
            continue
        ns = f"dtn{tag}-{k}"
        veth = f"dtv{tag}-{k}"
        sh("ip", "netns", "add", ns)
        record(d, "netns", ns)
        sh("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
        sh("ip", "link", "set", veth, "master", bridge, "up")
        sh("ip", "-n", ns, "addr", "add", f"{net}.{k + 1}/24", "dev", "eth0")
        sh("ip", "-n", ns, "link", "set", "eth0", "up")
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        # The hidden client trees covered, and a private scratch directory
        # (also its TMPDIR). Not a tmpfs over all of /tmp: the build tree,
        # with the tools and this cluster's certificates, may live there.
        mounts = " && ".join(f"mount -t tmpfs tmpfs '{p}'" for p in [*a.hide, wdir])
        inner = " ".join(f"'{x}'" for x in worker + ["--host", f"{net}.{k + 1}",
                                                     "--local-directory", wdir])
        spawn(d, f"w{k}", ["ip", "netns", "exec", ns, "unshare", "-m", "--propagation",
                           "private", "sh", "-c",
                           f"{mounts} && cd '{wdir}' && TMPDIR='{wdir}' exec {inner}"])
    check = ("import sys, logging; logging.disable(logging.CRITICAL)\n"
             "from distributed import Client\n"
             "from distributed.security import Security\n"
             "sec = Security(tls_ca_file=sys.argv[3], tls_client_cert=sys.argv[4],"
             " tls_client_key=sys.argv[5], require_encryption=True) if len(sys.argv) > 3 else None\n"
             "c = Client(sys.argv[1], timeout=60, security=sec)\n"
             "c.wait_for_workers(int(sys.argv[2]), timeout=60)\n"
             "c.close()\n")
    r = subprocess.run([PY, "-c", check, address, str(a.workers), *tls[1::2]])
    if r.returncode:
        stop_all(d)
        sys.exit(f"dask-cluster: the workers did not join; see the logs in {d}")
    print(address)


def kill_worker(a):
    for kind, value in state(a.dir):
        if kind == "pid" and value.split()[1] == f"w{a.k}":
            os.kill(int(value.split()[0]), signal.SIGKILL)
            return
    sys.exit(f"dask-cluster: no worker {a.k}")


def remove_netns(ns):
    """Kill whatever still runs in the namespace (a worker's codegen servers
    have sessions of their own, so killing the worker's process group misses
    them) and delete it once nothing holds it any more."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        pids = subprocess.run(["ip", "netns", "pids", ns], capture_output=True,
                              text=True).stdout.split()
        for pid in pids:
            try:
                os.kill(int(pid), signal.SIGKILL)
            except OSError:
                pass
        if not pids and subprocess.run(["ip", "netns", "del", ns],
                                       stderr=subprocess.DEVNULL).returncode == 0:
            return
        if not os.path.exists(os.path.join("/run/netns", ns)):
            return
        time.sleep(0.1)
    print(f"dask-cluster: cannot delete network namespace {ns}", file=sys.stderr)


def stop_all(d, entries=None):
    entries = state(d) if entries is None else entries
    pids = [(int(v.split()[0]), v.split()[1]) for k, v in entries if k == "pid"]
    # Workers first, then the scheduler, the watchdog last (unless it is us).
    order = [p for p in sorted(pids, key=lambda p: (p[1] == "watchdog", p[1] == "scheduler"))
             if p[0] != os.getpid()]
    for pid, _ in order:
        try:
            os.killpg(pid, signal.SIGTERM)
        except OSError:
            pass
    deadline = time.monotonic() + 5
    for pid, _ in order:
        while time.monotonic() < deadline:
            try:
                os.kill(pid, 0)
            except OSError:
                break
            time.sleep(0.05)
        try:
            os.killpg(pid, signal.SIGKILL)
        except OSError:
            pass
    for kind, value in entries:
        if kind == "netns":
            remove_netns(value)
        elif kind == "link":
            subprocess.run(["ip", "link", "del", value], stderr=subprocess.DEVNULL)
    try:
        os.unlink(os.path.join(d, "cluster.state"))
    except OSError:
        pass


def watchdog(a):
    """Stops the cluster after its lifetime, or as soon as its directory is
    gone (a test that deleted it without stopping the cluster)."""
    end = time.monotonic() + a.lifetime
    entries = []
    while time.monotonic() < end:
        now = state(a.dir)
        if not now and not os.path.exists(os.path.join(a.dir, "cluster.state")):
            break
        entries = now or entries
        time.sleep(0.5)
    stop_all(a.dir, entries)


def main():
    p = argparse.ArgumentParser(prog="dask-cluster")
    sub = p.add_subparsers(dest="cmd", required=True)
    s = sub.add_parser("start")
    s.add_argument("dir")
    s.add_argument("--workers", type=int, default=2)
    s.add_argument("--tls", action="store_true", default=True,
                   help="mutual TLS (the default)")
    s.add_argument("--no-tls", dest="tls", action="store_false",
                   help="plaintext TCP, for loopback tests only")
    s.add_argument("--netns", action="store_true")
    s.add_argument("--hide", action="append", default=[])
    s.add_argument("--lifetime", type=float, default=300)
    k = sub.add_parser("kill-worker")
    k.add_argument("dir")
    k.add_argument("k", type=int)
    t = sub.add_parser("stop")
    t.add_argument("dir")
    w = sub.add_parser("watchdog")
    w.add_argument("dir")
    w.add_argument("lifetime", type=float)
    a = p.parse_args()
    if a.cmd == "start":
        start(a)
    elif a.cmd == "kill-worker":
        kill_worker(a)
    elif a.cmd == "stop":
        stop_all(os.path.abspath(a.dir))
    else:
        watchdog(a)


if __name__ == "__main__":
    main()
