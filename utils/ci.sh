#!/usr/bin/env bash
# The project's one entry point on a fresh Debian 12 machine:
#   bash utils/ci.sh main   set up, build, link the sample program through
#                           DTLTO (our ld.lld + dtlto-dist) and run it
#   bash utils/ci.sh test   set up, build, run the whole lit suite
# Set-up installs missing Debian packages (as root, idempotent).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# The one package list (utils/debian-packages.txt): installed here, and the
# build trees and test tools are checked against it.
mapfile -t packages < <(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' utils/debian-packages.txt)

setup() {
  local missing=()
  for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
      missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return
  echo "ci.sh: installing ${missing[*]}"
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
    --no-install-recommends "${missing[@]}" >/dev/null
}

build() {
  cmake -G Ninja -S . -B build -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_COMPILER=clang++-22 >/dev/null
  ninja -C build
  check_packages build
}

# Fails when a build tree used a file from a Debian package the list does
# not install (it would not build on a fresh machine).
check_packages() {
  /usr/bin/python3 utils/debian_packages.py build "$@"
}

main_job() {
  local out=build/sample
  rm -rf "$out"
  utils/build-sample.sh "$out" dtlto
  "$out/app" | tee "$out/output.txt"
  if ! cmp -s "$out/output.txt" test/Inputs/sample/expected.txt; then
    echo "ci.sh: the DTLTO-linked sample printed the wrong output" >&2
    diff test/Inputs/sample/expected.txt "$out/output.txt" >&2 || true
    exit 1
  fi
  echo "ci.sh: sample linked through DTLTO (our ld.lld + dtlto-dist) and ran correctly"
}

# Runs lit on a build tree; adds its counts to the totals.
passed=0 failed=0 skipped=0
lit_run() {
  local tree=$1 log=$1/lit.log rc=0
  # Debian's python3 directly: a pyenv shim on PATH costs seconds per start.
  # A hung test fails after 15 minutes instead of hanging CI (lit needs
  # python3-psutil for this, which python3-distributed brings).
  /usr/bin/python3 /usr/lib/llvm-22/bin/lit -sv --timeout=900 "$tree/test" 2>&1 |
    tee "$log" || rc=${PIPESTATUS[0]}
  local n
  n=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$log" | tail -1); passed=$((passed + ${n:-0}))
  n=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$log" | tail -1); failed=$((failed + ${n:-0}))
  n=$(sed -n 's/^ *Unsupported *: *\([0-9]*\).*/\1/p' "$log" | tail -1); skipped=$((skipped + ${n:-0}))
  return "$rc"
}

# The GoogleTest unit tests of a build tree; adds their counts.
unit_run() {
  local tree=$1 log=$1/unittests.log rc=0
  "$tree/bin/dtlto-unittests" > "$log" 2>&1 || rc=$?
  local n
  n=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1); passed=$((passed + ${n:-0}))
  n=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1); failed=$((failed + ${n:-0}))
  if [ "$rc" -ne 0 ]; then
    grep -E '^\[  FAILED  \]|Failure|ERROR' "$log" >&2 || tail -20 "$log" >&2
    [ -n "$n" ] || failed=$((failed + 1)) # It did not even finish.
    return 1
  fi
  echo "ci.sh: unit tests ($tree): $(grep -E '^\[==========\]' "$log" | tail -1)"
}

# The job-file reader's fuzz target, for a bounded time; a crasher is kept
# in build/fuzz-artifacts/ (add it to test/Inputs/fuzz/crashers/).
fuzz() {
  local corpus=build/fuzz-corpus
  mkdir -p "$corpus" build/fuzz-artifacts
  if build/bin/dtlto-jobfile-fuzzer -max_total_time="${DTLTO_FUZZ_SECONDS:-60}" \
      -artifact_prefix=build/fuzz-artifacts/ -print_final_stats=1 \
      "$corpus" test/Inputs/fuzz/corpus > build/fuzz.log 2>&1; then
    echo "ci.sh: fuzzing: $(grep -o 'Done [0-9]* runs in [0-9]* second(s)' build/fuzz.log), no crash"
    passed=$((passed + 1))
  else
    tail -30 build/fuzz.log
    echo "ci.sh: fuzzing found a crash; see build/fuzz-artifacts/" >&2
    failed=$((failed + 1))
    return 1
  fi
}

# Our C++ is clang-format clean (LLVM style, .clang-format) and our Python
# passes pyflakes: one check each, counted with the tests.
style() {
  local rc=0 files
  if ! git rev-parse --git-dir > /dev/null 2>&1; then
    echo "ci.sh: not a git checkout: the style checks are skipped" >&2
    skipped=$((skipped + 2))
    return 0
  fi
  mapfile -t files < <(git ls-files '*.cpp' '*.h' | grep -v '^test/')
  if clang-format-22 --dry-run -Werror "${files[@]}" 2> build/format.log; then
    passed=$((passed + 1))
  else
    grep 'error:' build/format.log | cut -d: -f1 | sort -u | sed 's/^/ci.sh: not clang-formatted: /' >&2
    failed=$((failed + 1)); rc=1
  fi
  mapfile -t files < <(git ls-files '*.py' 'tools/dtlto-dask/*' |
    while read -r f; do
      case $f in
      *.py) echo "$f" ;;
      *) head -c 40 "$f" | grep -q '^#!/usr/bin/\(env \)\?python3' && echo "$f" ;;
      esac
    done)
  # pyflakes: syntax, undefined names, unused imports and variables (lit's
  # configuration files run with globals lit gives them: syntax only).
  if /usr/bin/python3 -m pyflakes $(printf '%s\n' "${files[@]}" | grep -v 'lit\.cfg\.py$') \
      > build/python.log 2>&1 &&
    /usr/bin/python3 -c 'import ast, sys
for f in sys.argv[1:]:
    ast.parse(open(f, "rb").read(), f)' "${files[@]}" >> build/python.log 2>&1; then
    passed=$((passed + 1))
  else
    cat build/python.log >&2
    failed=$((failed + 1)); rc=1
  fi
  return "$rc"
}

# The suite again on a build with AddressSanitizer + UBSan (our code only).
sanitized() {
  cmake -G Ninja -S . -B build-san -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DCMAKE_CXX_COMPILER=clang++-22 -DDTLTO_SANITIZE=ON >/dev/null
  ninja -C build-san
  check_packages build-san || return 1
  export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 ASAN_OPTIONS=detect_leaks=0
  local rc=0
  lit_run build-san || rc=1
  unit_run build-san || rc=1
  return "$rc"
}

# The REAPI tests' Buildbarn farm, built from pinned Go modules with the
# machine's Go (not a Debian package: Debian 12's Go is too old) and cached
# outside the tree (utils/reapi-farm.py). Without Go they are unsupported;
# with Go the farm must build.
reapi_farm() {
  if ! command -v go >/dev/null && [ ! -x /usr/local/go/bin/go ] &&
      [ -z "${DTLTO_GO:-}" ]; then
    echo "ci.sh: no Go toolchain: the REAPI tests (test/reapi) are unsupported here" >&2
    return 1
  fi
  /usr/bin/python3 utils/reapi-farm.py build >/dev/null || {
    echo "ci.sh: building the REAPI test farm failed" >&2
    return 2
  }
}

run_tests() {
  local rc=0 farm=0
  # Every test runs here: a missing feature is an error, not a skip.
  local features="debian-ld.lld"
  [ "$(id -u)" -eq 0 ] && features+=" root netns"
  reapi_farm || farm=$?
  case $farm in
  0) features+=" reapi-farm" ;;
  2) rc=1 ;;
  esac
  export DTLTO_REQUIRE_FEATURES=$features
  lit_run build || rc=1
  unit_run build || rc=1
  fuzz || rc=1
  style || rc=1
  sanitized || rc=1
  echo "${passed} passed, ${failed} failed, ${skipped} skipped"
  return "$rc"
}

case ${1:-} in
main) setup; build; main_job ;;
test) setup; build; run_tests ;;
*) echo "usage: bash utils/ci.sh main|test" >&2; exit 2 ;;
esac
