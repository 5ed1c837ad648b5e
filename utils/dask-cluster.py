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

from testservices import Group, make_tls

PY = "/usr/bin/python3"


def group(d):
    return Group(d, "cluster.state")


def start(a):
    d = os.path.abspath(a.dir)
    g = group(d)
    g.create()
    # The watchdog first: whatever happens next, the cluster dies with it.
    g.spawn("watchdog", [PY, os.path.abspath(__file__), "watchdog", d, str(a.lifetime)])
    host = "127.0.0.1"
    ips = []
    if a.netns:
        tag = f"{os.getpid() % 100000}"
        net = f"10.{random.randint(64, 127)}.{random.randint(0, 255)}"
        ips = [f"{net}.{k}" for k in range(1, a.workers + 2)]
    tls = []
    if a.tls:
        t = make_tls(d, [("node", "ca"), ("stranger", "other-ca")], ips)
        tls = ["--tls-ca-file", f"{t}/ca.pem", "--tls-cert", f"{t}/node.pem",
               "--tls-key", f"{t}/node.key"]
    if a.netns:
        bridge = f"dtb{tag}"
        sh = lambda *c: subprocess.run(c, check=True)
        sh("ip", "link", "add", bridge, "type", "bridge")
        g.record("link", bridge)
        sh("ip", "addr", "add", f"{net}.1/24", "dev", bridge)
        sh("ip", "link", "set", bridge, "up")
        host = f"{net}.1"
    sched_file = os.path.join(d, "scheduler.json")
    g.spawn("scheduler", [PY, "-m", "distributed.cli.dask_scheduler", "--host", host,
                           "--port", "0", "--scheduler-file", sched_file, "--no-dashboard",
                           "--protocol", "tls" if tls else "tcp", *tls])
    deadline = time.monotonic() + 60
    while not os.path.exists(sched_file):
        if time.monotonic() > deadline:
            stop_all(d)
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
            g.spawn(f"w{k}", worker + ["--local-directory", wdir])
            continue
        ns = f"dtn{tag}-{k}"
        veth = f"dtv{tag}-{k}"
        sh("ip", "netns", "add", ns)
        g.record("netns", ns)
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
        g.spawn(f"w{k}", ["ip", "netns", "exec", ns, "unshare", "-m", "--propagation",
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
    pid = group(a.dir).pid_of(f"w{a.k}")
    if pid is None:
        sys.exit(f"dask-cluster: no worker {a.k}")
    os.kill(pid, signal.SIGKILL)


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
    # Workers first, then the scheduler, the watchdog last (unless it is us);
    # then the network namespaces and the bridge.
    for kind, value in group(d).stop(entries, last=("scheduler", "watchdog")):
        if kind == "netns":
            remove_netns(value)
        elif kind == "link":
            subprocess.run(["ip", "link", "del", value], stderr=subprocess.DEVNULL)


def watchdog(a):
    """Stops the cluster after its lifetime, or as soon as its directory is
    gone (a test that deleted it without stopping the cluster)."""
    stop_all(a.dir, group(a.dir).watch(a.lifetime))


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
