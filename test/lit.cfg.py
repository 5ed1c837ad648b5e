# lit configuration for the dtlto suite.
import os
import shutil
import sys

import lit.formats

config.name = "dtlto"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".test", ".ll", ".c"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dtlto_obj_root, "test")

# The tests see only the host tools that come from the setup's Debian
# packages (utils/debian-packages.txt and their dependencies, plus what every
# Debian root has): a tool somebody installed by hand is "command not found"
# here, as it would be on a fresh machine. They are linked into one
# directory, made anew for each run.
sys.path.insert(0, os.path.join(config.dtlto_src_root, "utils"))
import debian_packages


def host_tools_dir(allowed):
    tools = os.path.join(config.dtlto_obj_root, "test", "host-tools")
    shutil.rmtree(tools, ignore_errors=True)
    os.makedirs(tools)
    candidates = {}
    for d in ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]:
        if os.path.isdir(d):
            for name in os.listdir(d):
                candidates.setdefault(name, os.path.join(d, name))
    owner = debian_packages.owners(list(candidates.values()))
    for name, path in candidates.items():
        if owner[path] in allowed and os.access(path, os.X_OK):
            os.symlink(path, os.path.join(tools, name))
    return tools


# The Python modules the tests' tools import beyond the standard library
# must come from those packages too (not from pip, under /usr/local).
def foreign_python_modules(allowed):
    import subprocess
    probe = ("import sys; before = set(sys.modules)\n"
             "import distributed\n"
             "for n in set(sys.modules) - before:\n"
             "    f = getattr(sys.modules[n], '__file__', None)\n"
             "    if f: print(f)\n")
    r = subprocess.run(["/usr/bin/python3", "-c", probe], capture_output=True,
                       text=True)
    if r.returncode:
        return ["cannot import the tests' Python modules: " + r.stderr.strip()]
    files = {os.path.realpath(f) for f in r.stdout.split()}
    stdlib = os.path.dirname(os.__file__) + os.sep
    return debian_packages.problems(
        [f for f in files if not f.startswith(stdlib)], allowed)


allowed = debian_packages.allowed()
bad = foreign_python_modules(allowed)
if bad:
    lit_config.fatal("the tests would use files the setup does not provide:\n  " +
                     "\n  ".join(bad))

# Our tools first (so ld.lld / lld-link are ours), then Debian's LLVM 22
# (FileCheck, not, split-file, llvm-ar, opt, llvm-dis, clang). Debian's own
# linker stays reachable as ld.lld-22 / lld-link-22 for comparisons.
host_tools = host_tools_dir(allowed)
path = [config.dtlto_tools_dir, config.llvm_tools_dir, host_tools]
config.environment["PATH"] = os.pathsep.join(path)
# utils/build-sample.sh links with the tools of the tree under test.
config.environment["DTLTO_BIN"] = config.dtlto_tools_dir
for var in ["HOME", "TMPDIR", "LANG", "LC_ALL", "ASAN_OPTIONS", "UBSAN_OPTIONS",
            "DTLTO_CACHE_DIR", "XDG_CACHE_HOME"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%{clang}", config.clang))
config.substitutions.append(("%{inputs}", os.path.join(config.test_source_root, "Inputs")))
config.substitutions.append(("%{srcroot}", config.dtlto_src_root))
config.substitutions.append(("%{objroot}", config.dtlto_obj_root))
config.substitutions.append(("%{bin}", config.dtlto_tools_dir))

# Two ThinLTO modules, t1 importing from t2, and the dtlto-lto2 resolutions
# that link them.
config.substitutions.append(
    ("%{make_t12}", "opt -thinlto-bc {0}/ir/t1.ll -o t1.bc && "
     "opt -thinlto-bc {0}/ir/t2.ll -o t2.bc".format(
         os.path.join(config.test_source_root, "Inputs"))))
config.substitutions.append(
    ("%{t12_res}", "-r=t1.bc,t1,px -r=t1.bc,t2, -r=t2.bc,t2,px"))

for tool in ["ld.lld-22", "lld-link-22"]:
    if shutil.which(tool, path=config.environment["PATH"]):
        config.available_features.add("debian-" + tool.split("-22")[0])

# dtlto-dask tests start their own throwaway Dask cluster.
config.substitutions.append(
    ("%{dask_cluster}", "/usr/bin/python3 " +
     os.path.join(config.dtlto_src_root, "utils", "dask-cluster.py")))

# The REAPI tests run a Buildbarn farm (utils/reapi-farm.py), built from
# Buildbarn's Go modules once (utils/ci.sh does it) and cached.
reapi_farm = ["/usr/bin/python3",
              os.path.join(config.dtlto_src_root, "utils", "reapi-farm.py")]
config.substitutions.append(("%{reapi_farm}", " ".join(reapi_farm)))
import subprocess as _subprocess
_farm = _subprocess.run(reapi_farm + ["check"], capture_output=True, text=True,
                        env=dict(os.environ, DTLTO_BIN=config.dtlto_tools_dir))
if _farm.returncode:
    lit_config.note("REAPI tests are unsupported here: " + _farm.stderr.strip())
else:
    config.available_features.add("reapi-farm")

# Workers in network namespaces need root and a kernel that allows them.
def netns_unavailable():
    import subprocess
    if os.geteuid() != 0:
        return "not running as root"
    for tool in ["ip", "unshare", "nsenter"]:
        if not shutil.which(tool, path=host_tools):
            return "'%s' is not installed" % tool
    name = "dtlto-probe-%d" % os.getpid()
    ip = os.path.join(host_tools, "ip")
    r = subprocess.run([ip, "netns", "add", name], capture_output=True, text=True)
    if r.returncode:
        return "'ip netns add' failed: " + r.stderr.strip()
    subprocess.run([ip, "netns", "del", name])
    return None

why = netns_unavailable()
if why:
    lit_config.note("tests with Dask workers in network namespaces are "
                    "unsupported here: " + why)
else:
    config.available_features.add("netns")

# dtlto-dist links keep their files in memory, in /dev/shm when it is a
# memory filesystem (lib/Backend/FilesDir.cpp).
def shm_is_memory():
    import subprocess
    r = subprocess.run(["stat", "-f", "-c", "%T", "/dev/shm"],
                       capture_output=True, text=True)
    return r.returncode == 0 and r.stdout.strip() in ("tmpfs", "ramfs")

if shm_is_memory():
    config.available_features.add("shm-tmpfs")
else:
    lit_config.note("tests of DTLTO's files in memory are unsupported here: "
                    "/dev/shm is not a memory filesystem")

# Some fault tests need root: a full tmpfs, and a write-protected directory
# that root itself cannot write (by dropping to nobody with setpriv).
if os.geteuid() == 0:
    config.available_features.add("root")
    config.substitutions.append(
        ("%{as_nobody}", "setpriv --reuid=65534 --regid=65534 --clear-groups"))
else:
    config.substitutions.append(("%{as_nobody}", ""))

# utils/ci.sh names the features its machine must have (DTLTO_REQUIRE_FEATURES,
# space-separated): there, a test that would be skipped for want of one is an
# error, not a silent "unsupported".
for feature in os.environ.get("DTLTO_REQUIRE_FEATURES", "").split():
    if feature not in config.available_features:
        lit_config.fatal("feature '%s' is required here (DTLTO_REQUIRE_FEATURES) "
                         "but not available; see the notes above" % feature)
