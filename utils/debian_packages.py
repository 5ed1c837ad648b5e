#!/usr/bin/python3
"""The setup's Debian package list, and proof that nothing else is used.

A build or a test can pass on a machine where somebody once installed a
package by hand and fail on a fresh one. `utils/debian-packages.txt` is the
one list `utils/ci.sh` installs; this module answers which files come from
that list's dependency closure (plus what every Debian 12 root has: the
Essential and Priority: required packages, i.e. debootstrap's minbase), and
which do not:

  debian_packages.py build BUILD_DIR...  every absolute file a Ninja build
                                          tree used (compiler dependencies,
                                          tools and libraries in build.ninja)
  debian_packages.py files FILE...        the given files (tools, modules)

Both exit 1 naming each file that comes from a package outside the closure
or from no package at all; --list=FILE (first) checks against another list.
test/lit.cfg.py imports this module to give the tests only the tools and
Python modules the list provides.
"""
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LIST = os.path.join(HERE, "debian-packages.txt")
DPKG_INFO = "/var/lib/dpkg/info"


def listed(path=LIST):
    """The package names in the list file (comments and blank lines skipped)."""
    names = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].strip()
            if line:
                names.append(line)
    return names


def _output(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout


def base_packages():
    """What a minimal Debian root has before any setup: Essential: yes and
    Priority: required packages (debootstrap --variant=minbase)."""
    base = set()
    fields = "${Package}\t${Priority}\t${Essential}\t${db:Status-Abbrev}\n"
    for line in _output("dpkg-query", "-W", "-f=" + fields).splitlines():
        name, priority, essential, status = (line.split("\t") + [""] * 4)[:4]
        if status.startswith("ii") and (priority == "required" or
                                        essential == "yes"):
            base.add(name)
    return base


def closure(names):
    """\p names and every package they depend on or pre-depend on,
    recursively (every alternative of an "a | b" dependency counts)."""
    out = _output("apt-cache", "depends", "--recurse", "--no-recommends",
                  "--no-suggests", "--no-conflicts", "--no-breaks",
                  "--no-replaces", "--no-enhances", *names)
    found = set(names)
    for line in out.splitlines():
        m = re.match(r"\s*\|?(?:Pre)?Depends:\s*<?([a-z0-9][a-z0-9+.-]*)", line)
        if not m:
            m = re.match(r"^([a-z0-9][a-z0-9+.-]*)(?::\w+)?$", line.strip())
        if m:
            found.add(m.group(1))
    return found


def allowed(list_file=LIST):
    """Every package a file may come from after the setup has run."""
    return closure(listed(list_file)) | base_packages()


def _variants(path):
    """The spellings dpkg may have recorded \p path under (merged /usr)."""
    yield path
    real = os.path.realpath(path)
    yield real
    for p in (path, real):
        for top in ("/bin/", "/sbin/", "/lib/", "/lib64/"):
            if p.startswith("/usr" + top):
                yield p[4:]
            elif p.startswith(top):
                yield "/usr" + p


def owners(paths):
    """Map each of \p paths to the package that installed it (None if none)."""
    wanted = {}
    for p in paths:
        for v in _variants(p):
            wanted.setdefault(v, set()).add(p)
    found = {p: None for p in paths}
    for name in os.listdir(DPKG_INFO):
        if not name.endswith(".list"):
            continue
        pkg = name[:-len(".list")].split(":", 1)[0]
        with open(os.path.join(DPKG_INFO, name), errors="replace") as f:
            for line in f:
                for p in wanted.get(line.rstrip("\n"), ()):
                    if found[p] is None:
                        found[p] = pkg
    return found


def problems(paths, ok=None):
    """Lines naming each file of \p paths that no package of \p ok (default:
    allowed()) installed: one line per foreign package, with one of its files
    and how many more."""
    ok = allowed() if ok is None else ok
    foreign = {}
    for path, pkg in sorted(owners(paths).items()):
        if pkg is None:
            foreign[path] = [path]
        elif pkg not in ok:
            foreign.setdefault(pkg, []).append(path)
    lines = []
    for key, files in sorted(foreign.items()):
        more = " and %d more" % (len(files) - 1) if len(files) > 1 else ""
        if key == files[0]:
            lines.append("%s comes from no Debian package" % key)
        else:
            lines.append("%s%s come from %s, which the setup does not install "
                         "(add it to utils/debian-packages.txt)" %
                         (files[0], more, key))
    return lines


def build_paths(build):
    """Every absolute file outside the source and build trees that the Ninja
    build tree \p build used: compiler dependencies and the tools and
    libraries build.ninja names."""
    build = os.path.abspath(build)
    own = (build + os.sep, os.path.dirname(HERE) + os.sep)
    paths = set()
    deps = _output("ninja", "-C", build, "-t", "deps")
    paths.update(l.strip() for l in deps.splitlines())
    with open(os.path.join(build, "build.ninja"), errors="replace") as f:
        # Absolute paths only, not the tail of one (".../build/bin/x").
        paths.update(re.findall(
            r"(?<![\w./+-])(/(?:usr|lib|bin|sbin|opt|etc)/[^\s\"';$]+)", f.read()))
    return {p for p in paths
            if p.startswith("/") and not p.startswith(own) and
            os.path.isfile(p)}


def main(argv):
    list_file = LIST
    if argv and argv[0].startswith("--list="):
        list_file = argv.pop(0)[len("--list="):]
    if len(argv) < 2 or argv[0] not in ("build", "files"):
        print(__doc__.strip(), file=sys.stderr)
        return 2
    if argv[0] == "build":
        for d in argv[1:]:
            if not os.path.isfile(os.path.join(d, "build.ninja")):
                print("debian_packages.py: %s is not a Ninja build tree" % d,
                      file=sys.stderr)
                return 2
        paths = set().union(*(build_paths(d) for d in argv[1:]))
    else:
        paths = {os.path.abspath(p) for p in argv[1:]}
    bad = problems(paths, allowed(list_file))
    for line in bad:
        print("debian_packages.py: " + line, file=sys.stderr)
    if bad:
        return 1
    print("debian_packages.py: all %d files used come from the setup's "
          "packages" % len(paths))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
