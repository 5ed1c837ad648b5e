# ===- cluster.py - Reaching the Dask cluster safely ----------------------===#
#
# Part of the dtlto project, under the Apache License v2.0 with LLVM
# Exceptions. See LICENSE for license information.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===----------------------------------------------------------------------===#
"""Connecting to the scheduler (address or scheduler file, optional mutual
TLS) and refusing a plaintext scheduler or worker off this machine unless
--insecure: the bitcode goes there and objects come back from there."""

import json
import os
import sys
import time

from .common import PROG, Fatal


def is_loopback(host):
    """Whether every address host names is a loopback one."""
    import ipaddress
    import socket

    host = host.strip("[]")
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        pass
    # RFC 6761: "localhost" names are loopback, resolvable or not.
    if host.lower().rstrip(".") == "localhost" or host.lower().rstrip(".").endswith(".localhost"):
        return True
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(
        ipaddress.ip_address(i[4][0].split("%")[0]).is_loopback for i in infos)


def plaintext_risk(address):
    """Why talking plaintext to address is unsafe, or None if it is TLS or
    loopback. Dask's addresses are [protocol://]host:port."""
    from urllib.parse import urlsplit

    protocol, _, rest = address.rpartition("://")
    if protocol in ("tls", "inproc"):
        return None
    host = urlsplit("//" + rest).hostname or rest
    if is_loopback(host):
        return None
    return f"{address} is a plaintext ({protocol or 'tcp'}://) address off this machine"


def check_transport(a, address, what):
    """Refuse a plaintext address off this machine unless --insecure; warn
    with the risk if it was given."""
    why = plaintext_risk(address)
    if not why:
        return
    risk = ("anyone who can reach it can read the bitcode sent to the cluster, or "
            "join as a worker and return objects with code of their own, which "
            "pass every check and enter the link and the ThinLTO cache")
    if not a.insecure:
        raise Fatal(f"refusing the {what}: {why}; {risk}. Use TLS (a tls:// cluster "
                    "and --tls-ca-file, --tls-cert, --tls-key) or, on a network you "
                    "trust completely, --insecure", 2)
    print(f"{PROG}: warning: --insecure: {what} {why}: {risk}", file=sys.stderr)


def connect(a):
    from distributed import Client
    from distributed.security import Security

    where = a.scheduler or f"the scheduler file '{a.scheduler_file}'"
    kw = {"timeout": a.connect_timeout, "set_as_default": False}
    if a.tls_ca_file:
        for f in (a.tls_ca_file, a.tls_cert, a.tls_key):
            if not os.access(f, os.R_OK):
                raise Fatal(f"cannot read TLS file '{f}'", 3)
        kw["security"] = Security(tls_ca_file=a.tls_ca_file, tls_client_cert=a.tls_cert,
                                  tls_client_key=a.tls_key, require_encryption=True)
    if a.scheduler_file:
        deadline = time.monotonic() + a.connect_timeout
        while not os.path.exists(a.scheduler_file):
            if time.monotonic() > deadline:
                raise Fatal(f"scheduler file '{a.scheduler_file}' did not appear within "
                            f"{a.connect_timeout:g} s", 3)
            time.sleep(0.05)
        kw["scheduler_file"] = a.scheduler_file
        address = None
        try:
            with open(a.scheduler_file) as f:
                check_transport(a, json.load(f)["address"], "scheduler")
        except (OSError, ValueError, KeyError, TypeError) as e:
            raise Fatal(f"cannot read the scheduler file '{a.scheduler_file}': {e}", 3)
    else:
        address = a.scheduler
        check_transport(a, address, "scheduler")
    try:
        client = Client(address, **kw)
    except Exception as e:  # Dask raises OSError, TimeoutError, ssl errors...
        hint = ""
        if a.scheduler_file:
            try:
                with open(a.scheduler_file) as f:
                    address = json.load(f).get("address", "")
            except (OSError, ValueError, AttributeError):
                pass
        if a.tls_ca_file is None and str(address or "").startswith("tls://"):
            hint = " (the address is tls://: give --tls-ca-file, --tls-cert and --tls-key)"
        raise Fatal(f"cannot reach the Dask scheduler at {where} within "
                    f"{a.connect_timeout:g} s: {type(e).__name__}: {e}{hint}", 3)
    try:
        client.wait_for_workers(1, timeout=a.connect_timeout)
    except Exception:
        client.close()
        raise Fatal(f"the Dask scheduler at {where} has no workers "
                    f"(waited {a.connect_timeout:g} s)", 3)
    # The inputs go to the workers and the objects come from them.
    try:
        for worker in client.scheduler_info()["workers"]:
            check_transport(a, worker, "worker")
    except Fatal:
        client.close()
        raise
    return client
