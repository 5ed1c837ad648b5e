#!/usr/bin/python3
# ===- reapi-farm.py - A throwaway Buildbarn farm for tests and benchmarks -===#
#
# Part of the dtlto project, under the Apache License v2.0 with LLVM
# Exceptions. See LICENSE for license information.
# SPDX-License-Identifier: Apache-2.0 WITH LLVM-exception
#
# ===----------------------------------------------------------------------===#
#
# A Remote Execution API v2 farm on loopback, so that the tests and the
# benchmark can run dtlto-reapi against a real server:
#
#   reapi-farm.py build                 build Buildbarn's bb_storage and
#                                       bb_scheduler (once; cached); prints
#                                       where they are
#   reapi-farm.py check                 whether they are built (exit 3 if not)
#   reapi-farm.py start DIR (or --dir DIR) [--workers N] [--tls] [--lifetime S]
#       prints the endpoint (grpc://127.0.0.1:PORT, or grpcs:// with --tls,
#       whose certificates are in DIR/tls/) once it serves; also DIR/endpoint
#   reapi-farm.py kill-worker DIR K     SIGKILL worker K (1-based) for good
#                                       (a worker that dies by itself is
#                                       restarted, as a service manager would)
#   reapi-farm.py stop DIR              stop everything started in DIR
#
# The farm: bb_storage (the endpoint: CAS and action cache in memory, of
# bounded size; Execute goes to the scheduler), bb_scheduler and N workers
# (dtlto-reapi-testworker, see utils/reapi/worker.cpp for why not bb_worker),
# each running one action at a time. Buildbarn is built from its Go modules
# at the versions pinned in utils/reapi/farm/ with the machine's Go, into
# $DTLTO_CACHE_DIR (default ~/.cache/dtlto)/reapi-farm/<hash>/, reused by
# every later build and test. A watchdog stops the farm after --lifetime
# seconds or once DIR is gone. Exit status 3: no Go, or Buildbarn does not
# build (the message says why): tests are then unsupported.
#
# ===----------------------------------------------------------------------===#

import argparse
import hashlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

from testservices import Group, make_tls

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
FARM_MODULE = os.path.join(HERE, "reapi", "farm")
PROTO_DIR = os.path.join(ROOT, "tools", "dtlto-reapi", "proto")
PY = "/usr/bin/python3"


class Unavailable(Exception):
    """The farm cannot be built here (exit status 3)."""


def cache_dir():
    base = os.environ.get("DTLTO_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "dtlto")
    h = hashlib.sha256()
    for name in ("go.mod", "go.sum", "tools.go", "bytestream/go.mod"):
        with open(os.path.join(FARM_MODULE, name), "rb") as f:
            h.update(name.encode() + b"\0" + f.read())
    with open(os.path.join(PROTO_DIR, "google", "bytestream", "bytestream.proto"), "rb") as f:
        h.update(f.read())
    return os.path.join(base, "reapi-farm", h.hexdigest()[:16])


def find_go(given):
    for candidate in [given, os.environ.get("DTLTO_GO"), shutil.which("go"), "/usr/local/go/bin/go"]:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise Unavailable("no Go toolchain (the farm is built from Buildbarn's Go "
                      "modules; give --go=PATH or put go on PATH)")


def build(go=None, quiet=False):
    """The directory holding bb_storage and bb_scheduler, built if needed."""
    out = cache_dir()
    bindir = os.path.join(out, "bin")
    if all(os.access(os.path.join(bindir, b), os.X_OK) for b in ("bb_storage", "bb_scheduler")):
        return bindir
    go = find_go(go)
    protoc = shutil.which("protoc", path="/usr/bin:/bin")
    if not protoc:
        raise Unavailable("no protoc (Debian's protobuf-compiler)")
    os.makedirs(out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="build-", dir=out)
    try:
        shutil.copytree(FARM_MODULE, work, dirs_exist_ok=True)
        env = dict(os.environ, GOTOOLCHAIN="local", GOFLAGS="-mod=readonly",
                   # The module proxy's checksum database may be out of reach;
                   # go.sum pins every module's hash instead.
                   GOSUMDB="off", CGO_ENABLED="0")

        def go_run(*args):
            r = subprocess.run([go, *args], cwd=work, env=env, capture_output=True, text=True)
            if r.returncode:
                raise Unavailable(f"'go {' '.join(args[:3])} ...' failed:\n" +
                                  "\n".join(l for l in r.stderr.splitlines()
                                            if not l.startswith("go: downloading"))[-3000:])
        tools = os.path.join(work, "tools")
        # The ByteStream service code Buildbarn's own build would generate.
        for place in ("protoc-gen-go", "protoc-gen-go-grpc"):
            pkg = {"protoc-gen-go": "google.golang.org/protobuf/cmd/protoc-gen-go",
                   "protoc-gen-go-grpc": "google.golang.org/grpc/cmd/protoc-gen-go-grpc"}[place]
            go_run("build", "-o", os.path.join(tools, place), pkg)
        m = "Mgoogle/bytestream/bytestream.proto=google.golang.org/genproto/googleapis/bytestream"
        gen = os.path.join(work, "gen")
        os.makedirs(gen)
        r = subprocess.run([protoc, f"--proto_path={PROTO_DIR}",
                            f"--plugin=protoc-gen-go={tools}/protoc-gen-go",
                            f"--plugin=protoc-gen-go-grpc={tools}/protoc-gen-go-grpc",
                            f"--go_out={gen}", f"--go_opt=paths=source_relative,{m}",
                            f"--go-grpc_out={gen}",
                            f"--go-grpc_opt=paths=source_relative,require_unimplemented_servers=false,{m}",
                            "google/bytestream/bytestream.proto"],
                           capture_output=True, text=True)
        if r.returncode:
            raise Unavailable("protoc failed: " + r.stderr)
        for name in os.listdir(os.path.join(gen, "google", "bytestream")):
            shutil.copy(os.path.join(gen, "google", "bytestream", name),
                        os.path.join(work, "bytestream", name))
        staged = os.path.join(work, "bin")
        go_run("build", "-o", staged + "/", "github.com/buildbarn/bb-storage/cmd/bb_storage",
               "github.com/buildbarn/bb-remote-execution/cmd/bb_scheduler")
        if not os.path.exists(bindir):
            os.replace(staged, bindir)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if not quiet:
        print(f"reapi-farm: built Buildbarn into {bindir}", file=sys.stderr)
    return bindir


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def group(d):
    return Group(d, "farm.state")


def local_store(entries, block, new_blocks):
    return {"local": {
        "keyLocationMapInMemory": {"entries": entries},
        "keyLocationMapMaximumGetAttempts": 8,
        "keyLocationMapMaximumPutAttempts": 32,
        "oldBlocks": 2, "currentBlocks": 4, "newBlocks": new_blocks,
        "blocksInMemory": {"blockSizeBytes": block}}}


def start(a):
    d = os.path.abspath(a.dir)
    g = group(d)
    g.create()
    bindir = build(a.go, quiet=True)
    g.spawn("watchdog", [PY, os.path.abspath(__file__), "watchdog", d, str(a.lifetime)],
            cwd=d)
    endpoint_port, client_port, worker_port = free_port(), free_port(), free_port()
    allow = {"allow": {}}
    server = {"listenAddresses": [f"127.0.0.1:{endpoint_port}"], "authenticationPolicy": allow}
    scheme = "grpc"
    if a.tls:
        t = make_tls(d, [("server", "ca"), ("client", "ca"), ("stranger", "other-ca")],
                     label="dtlto farm")
        with open(os.path.join(t, "ca.pem")) as f:
            ca = f.read()
        server["tls"] = {"serverKeyPair": {"files": {
            "certificatePath": os.path.join(t, "server.pem"),
            "privateKeyPath": os.path.join(t, "server.key"),
            "refreshInterval": "3600s"}}}
        server["authenticationPolicy"] = {"tlsClientCertificate": {
            "clientCertificateAuthorities": ca,
            "validationJmespathExpression": "`true`",
            "metadataExtractionJmespathExpression": "`{}`"}}
        scheme = "grpcs"
    storage = {
        "grpcServers": [server],
        "schedulers": {"": {"endpoint": {"address": f"127.0.0.1:{client_port}"}}},
        "maximumMessageSizeBytes": 16 << 20,
        "global": {},
        # Bounded: 8 blocks of 16 MiB for blobs, 7 of 1 MiB for results.
        "contentAddressableStorage": {"backend": local_store(200000, 16 << 20, 2),
                                      "getAuthorizer": allow, "putAuthorizer": allow,
                                      "findMissingAuthorizer": allow},
        "actionCache": {"backend": local_store(20000, 1 << 20, 1),
                        "getAuthorizer": allow, "putAuthorizer": allow},
        "executeAuthorizer": allow,
    }
    internal_port = endpoint_port
    if a.tls:
        # Plaintext on loopback for the scheduler and the workers.
        internal_port = free_port()
        storage["grpcServers"].append({"listenAddresses": [f"127.0.0.1:{internal_port}"],
                                       "authenticationPolicy": allow})
    scheduler = {
        "clientGrpcServers": [{"listenAddresses": [f"127.0.0.1:{client_port}"],
                               "authenticationPolicy": allow}],
        "workerGrpcServers": [{"listenAddresses": [f"127.0.0.1:{worker_port}"],
                               "authenticationPolicy": allow}],
        "browserUrl": "http://localhost:1",
        "contentAddressableStorage": {"grpc": {"address": f"127.0.0.1:{internal_port}"}},
        "maximumMessageSizeBytes": 16 << 20,
        "global": {},
        "executeAuthorizer": allow,
        "modifyDrainsAuthorizer": allow,
        "killOperationsAuthorizer": allow,
        "synchronizeAuthorizer": allow,
        "actionRouter": {"simple": {
            "platformKeyExtractor": {"actionAndCommand": {}},
            "invocationKeyExtractors": [{"correlatedInvocationsId": {}}, {"toolInvocationId": {}}],
            "initialSizeClassAnalyzer": {"defaultExecutionTimeout": "1800s",
                                         "maximumExecutionTimeout": "7200s"}}},
        "platformQueueWithNoWorkersTimeout": "900s",
    }
    for name, conf in (("storage", storage), ("scheduler", scheduler)):
        with open(os.path.join(d, f"{name}.json"), "w") as f:
            json.dump(conf, f, indent=1)
    g.spawn("storage", [os.path.join(bindir, "bb_storage"), os.path.join(d, "storage.json")],
            cwd=d)
    g.spawn("scheduler", [os.path.join(bindir, "bb_scheduler"),
                          os.path.join(d, "scheduler.json")], cwd=d)
    worker = os.path.join(a.bin, "dtlto-reapi-testworker")
    for k in range(1, a.workers + 1):
        wdir = os.path.join(d, f"w{k}")
        os.makedirs(wdir, exist_ok=True)
        if os.path.exists(os.path.join(wdir, "ready")):
            os.unlink(os.path.join(wdir, "ready"))
        # Restarted when it dies, as systemd or Kubernetes would restart it:
        # the scheduler then learns at once that its action was lost (it
        # comes back idle under the same name) instead of after a minute.
        g.spawn(f"w{k}", ["sh", "-c", 'while :; do "$@"; sleep 0.2; done', "sh",
                          worker, f"--scheduler=127.0.0.1:{worker_port}",
                          f"--storage=grpc://127.0.0.1:{internal_port}",
                          f"--dir={wdir}", f"--name=w{k}",
                          *[f"--platform={p}" for p in a.platform]], cwd=d)
    g.record("worker-port", str(worker_port))
    g.record("internal", f"grpc://127.0.0.1:{internal_port}")
    endpoint = f"{scheme}://127.0.0.1:{endpoint_port}"
    probe = [os.path.join(a.bin, "dtlto-reapi"), f"--remote={endpoint}",
             "--connect-timeout=1", "--print-capabilities"]
    if a.tls:
        probe += [f"--tls-ca={d}/tls/ca.pem", f"--tls-cert={d}/tls/client.pem",
                  f"--tls-key={d}/tls/client.key"]
    deadline = time.monotonic() + 60
    while subprocess.run(probe, capture_output=True).returncode:
        if time.monotonic() > deadline:
            stop_all(d)
            sys.exit(f"reapi-farm: the farm did not come up; see the logs in {d}")
        time.sleep(0.2)
    # And every worker connected to the scheduler (it writes wK/ready), so
    # that the first link does not start with fewer workers.
    while not all(os.path.exists(os.path.join(d, f"w{k}", "ready"))
                  for k in range(1, a.workers + 1)):
        if time.monotonic() > deadline:
            stop_all(d)
            sys.exit(f"reapi-farm: the workers did not connect; see the logs in {d}")
        time.sleep(0.05)
    with open(os.path.join(d, "endpoint"), "w") as f:
        f.write(endpoint + "\n")
    print(endpoint)


def kill_worker(a):
    pid = group(a.dir).pid_of(f"w{a.k}")
    if pid is None:
        sys.exit(f"reapi-farm: no worker {a.k}")
    os.killpg(pid, signal.SIGKILL)


def stop_all(d, entries=None):
    group(d).stop(entries)


def watchdog(a):
    stop_all(a.dir, group(a.dir).watch(a.lifetime))


def main():
    p = argparse.ArgumentParser(prog="reapi-farm")
    p.add_argument("--go", help="the Go toolchain (default: go on PATH)")
    p.add_argument("--bin", default=os.environ.get("DTLTO_BIN") or
                   os.path.join(ROOT, "build", "bin"),
                   help="where dtlto-reapi and dtlto-reapi-testworker are "
                        "(default: $DTLTO_BIN, else build/bin)")
    sub = p.add_subparsers(dest="cmd", required=True)
    sub.add_parser("build")
    sub.add_parser("check", help="succeed if Buildbarn is built and cached")
    s = sub.add_parser("start")
    s.add_argument("dir", nargs="?")
    s.add_argument("--dir", dest="dir_opt", help="the farm's directory (or as the first argument)")
    s.add_argument("--workers", type=int, default=1)
    s.add_argument("--tls", action="store_true")
    s.add_argument("--platform", action="append", default=[],
                   help="KEY=VALUE the workers offer")
    s.add_argument("--lifetime", type=float, default=300)

    k = sub.add_parser("kill-worker")
    k.add_argument("dir", nargs="?")
    k.add_argument("--dir", dest="dir_opt", help="the farm's directory (or as the first argument)")
    k.add_argument("k", type=int)
    t = sub.add_parser("stop")
    t.add_argument("dir", nargs="?")
    t.add_argument("--dir", dest="dir_opt", help="the farm's directory (or as the first argument)")
    w = sub.add_parser("watchdog")
    w.add_argument("dir", nargs="?")
    w.add_argument("--dir", dest="dir_opt", help="the farm's directory (or as the first argument)")
    w.add_argument("lifetime", type=float)
    a = p.parse_args()
    if a.cmd in ("start", "kill-worker", "stop", "watchdog"):
        a.dir = a.dir_opt or a.dir
        if not a.dir:
            p.error("the farm's directory is required (DIR or --dir DIR)")
    try:
        if a.cmd == "build":
            print(build(a.go))
        elif a.cmd == "check":
            bindir = os.path.join(cache_dir(), "bin")
            if not all(os.access(os.path.join(bindir, b), os.X_OK)
                       for b in ("bb_storage", "bb_scheduler")):
                raise Unavailable(f"Buildbarn is not built in {bindir}: run "
                                  "'utils/reapi-farm.py build' (needs Go and "
                                  "the Go module proxy)")
            print(bindir)
        elif a.cmd == "start":
            start(a)
        elif a.cmd == "kill-worker":
            kill_worker(a)
        elif a.cmd == "stop":
            stop_all(os.path.abspath(a.dir))
        else:
            watchdog(a)
    except Unavailable as e:
        print(f"reapi-farm: unavailable: {e}", file=sys.stderr)
        sys.exit(3)


if __name__ == "__main__":
    main()
