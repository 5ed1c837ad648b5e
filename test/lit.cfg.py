# lit configuration for the dtlto suite.
import os
import shutil

import lit.formats

config.name = "dtlto"
config.test_format = lit.formats.ShTest(execute_external=True)
config.suffixes = [".test", ".ll", ".c"]
config.excludes = ["Inputs"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.dtlto_obj_root, "test")

# Our tools first (so ld.lld / lld-link are ours), then Debian's LLVM 22
# (FileCheck, not, split-file, llvm-ar, opt, llvm-dis, clang). Debian's own
# linker stays reachable as ld.lld-22 / lld-link-22 for comparisons.
path = [config.dtlto_tools_dir, config.llvm_tools_dir, "/usr/bin", "/bin",
        "/usr/sbin", "/sbin"]
config.environment["PATH"] = os.pathsep.join(path)
for var in ["HOME", "TMPDIR", "LANG", "LC_ALL", "ASAN_OPTIONS", "UBSAN_OPTIONS"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%{clang}", config.clang))
config.substitutions.append(("%{inputs}", os.path.join(config.test_source_root, "Inputs")))
config.substitutions.append(("%{srcroot}", config.dtlto_src_root))
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
    if shutil.which(tool):
        config.available_features.add("debian-" + tool.split("-22")[0])

# dtlto-dask tests start their own throwaway Dask cluster.
config.substitutions.append(
    ("%{dask_cluster}", "/usr/bin/python3 " +
     os.path.join(config.dtlto_src_root, "utils", "dask-cluster.py")))

# Workers in network namespaces need root and a kernel that allows them.
def netns_unavailable():
    import subprocess
    if os.geteuid() != 0:
        return "not running as root"
    for tool in ["ip", "unshare", "nsenter"]:
        if not shutil.which(tool, path="/usr/sbin:/usr/bin:/sbin:/bin"):
            return "'%s' is not installed" % tool
    name = "dtlto-probe-%d" % os.getpid()
    r = subprocess.run(["ip", "netns", "add", name], capture_output=True, text=True)
    if r.returncode:
        return "'ip netns add' failed: " + r.stderr.strip()
    subprocess.run(["ip", "netns", "del", name])
    return None

why = netns_unavailable()
if why:
    lit_config.note("tests with Dask workers in network namespaces are "
                    "unsupported here: " + why)
else:
    config.available_features.add("netns")

# Some fault tests need root: a full tmpfs, and a write-protected directory
# that root itself cannot write (by dropping to nobody with setpriv).
if os.geteuid() == 0:
    config.available_features.add("root")
    config.substitutions.append(
        ("%{as_nobody}", "setpriv --reuid=65534 --regid=65534 --clear-groups"))
else:
    config.substitutions.append(("%{as_nobody}", ""))
