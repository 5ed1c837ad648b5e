#!/usr/bin/python3
# ===- testservices.py - Throwaway servers for tests and benchmarks -------===#
#
# Part of the dtlto project, under the Apache License v2.0 with LLVM
# Exceptions. See LICENSE for license information.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===----------------------------------------------------------------------===#
#
# What utils/dask-cluster.py and utils/reapi-farm.py share: a directory that
# holds a group of server processes (each in its own session, its output in
# NAME.log, its PID in a state file), stopping them all, a watchdog that stops
# them after a lifetime or once the directory is gone (so a failing test
# leaves nothing running), and throwaway TLS certificates made with openssl.
#
# ===----------------------------------------------------------------------===#

import os
import signal
import subprocess
import time


class Group:
    """The processes started in directory \\p d, listed in \\p d/STATE."""

    def __init__(self, d, state_name):
        self.dir = d
        self.path = os.path.join(d, state_name)

    def create(self):
        """Starts the state file with a line naming this group: a watchdog
        tells its own group from a later one started in a new directory of
        the same name (a test run again)."""
        os.makedirs(self.dir, exist_ok=True)
        if not self.state():
            self.record("group", f"{os.getpid()}-{time.time_ns()}-{os.urandom(4).hex()}")

    def record(self, kind, value):
        with open(self.path, "a") as f:
            f.write(f"{kind} {value}\n")

    def state(self):
        """The recorded (kind, value) pairs; [] once stopped."""
        try:
            with open(self.path) as f:
                return [line.split(" ", 1) for line in f.read().splitlines()]
        except OSError:
            return []

    def spawn(self, name, argv, cwd=None):
        log = open(os.path.join(self.dir, f"{name}.log"), "wb")
        p = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                             cwd=cwd, start_new_session=True)
        self.record("pid", f"{p.pid} {name}")
        return p

    def pid_of(self, name):
        for kind, value in self.state():
            if kind == "pid" and value.split()[1] == name:
                return int(value.split()[0])
        return None

    def stop(self, entries=None, last=("watchdog",)):
        """SIGTERM every process group (those named in \\p last at the end,
        in that order), SIGKILL what is left after 5 s; removes the state
        file. Returns the entries, for the caller's own clean-up."""
        entries = self.state() if entries is None else entries
        pids = [(int(v.split()[0]), v.split()[1]) for k, v in entries if k == "pid"]
        rank = {name: i + 1 for i, name in enumerate(last)}
        order = [p for p in sorted(pids, key=lambda p: rank.get(p[1], 0))
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
        try:
            os.unlink(self.path)
        except OSError:
            pass
        return entries

    def watch(self, lifetime):
        """Wait until \\p lifetime seconds have passed, or the group was
        stopped, or its directory deleted; returns the last entries seen
        (the caller stops them)."""
        end = time.monotonic() + lifetime
        entries = self.state()
        first = entries[:1]  # The "group" line create() wrote.
        while time.monotonic() < end:
            now = self.state()
            # Stopped, deleted, or replaced by another group's file.
            if not now or now[:1] != first:
                break
            entries = now  # The file only grows.
            time.sleep(0.5)
        return entries


def make_tls(d, certs, ips=(), label="dtlto test"):
    """In \\p d/tls: the CAs "ca" and "other-ca" (unrelated), and for each
    (name, ca) in \\p certs a key and certificate signed by that CA, valid for
    localhost, 127.0.0.1 and \\p ips. Returns the directory."""
    t = os.path.join(d, "tls")
    os.makedirs(t, exist_ok=True)

    def ossl(*args):
        subprocess.run(["openssl", *args], check=True, cwd=t,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    for ca in ("ca", "other-ca"):
        ossl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
             "-subj", f"/CN={label} {ca}", "-keyout", f"{ca}.key", "-out", f"{ca}.pem")
    with open(os.path.join(t, "san.ext"), "w") as f:
        f.write("subjectAltName=" + ",".join(
            ["DNS:localhost"] + [f"IP:{ip}" for ip in ["127.0.0.1", *ips]]) + "\n")
    for name, ca in certs:
        ossl("req", "-newkey", "rsa:2048", "-nodes", "-subj", f"/CN={name}",
             "-keyout", f"{name}.key", "-out", f"{name}.csr")
        ossl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
             "-CAcreateserial", "-days", "2", "-extfile", "san.ext", "-out", f"{name}.pem")
    return t
