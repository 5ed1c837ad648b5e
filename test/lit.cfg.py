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
path = [config.dtlto_tools_dir, config.llvm_tools_dir, "/usr/bin", "/bin"]
config.environment["PATH"] = os.pathsep.join(path)
for var in ["HOME", "TMPDIR", "LANG", "LC_ALL"]:
    if var in os.environ:
        config.environment[var] = os.environ[var]

config.substitutions.append(("%python", "/usr/bin/python3"))
config.substitutions.append(("%clang", config.clang))
config.substitutions.append(("%inputs", os.path.join(config.test_source_root, "Inputs")))
config.substitutions.append(("%srcroot", config.dtlto_src_root))
config.substitutions.append(("%bin", config.dtlto_tools_dir))

for tool in ["ld.lld-22", "lld-link-22"]:
    if shutil.which(tool):
        config.available_features.add("debian-" + tool.split("-22")[0])
