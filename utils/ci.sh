#!/usr/bin/env bash
# The project's one entry point on a fresh Debian 12 machine:
#   bash utils/ci.sh main   set up, build, link the sample program through
#                           DTLTO (our ld.lld + dtlto-dist) and run it
#   bash utils/ci.sh test   set up, build, run the whole lit suite
# Set-up installs missing Debian packages (as root, idempotent).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

packages=(llvm-22-dev liblld-22-dev lld-22 clang-22 llvm-22-tools libclang-cpp22-dev cmake
          ninja-build python3 zlib1g-dev libzstd-dev make
          python3-distributed openssl iproute2)

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

run_tests() {
  local log=build/lit.log rc=0
  # Debian's python3 directly: a pyenv shim on PATH costs seconds per start.
  /usr/bin/python3 /usr/lib/llvm-22/bin/lit -sv build/test 2>&1 | tee "$log" ||
    rc=${PIPESTATUS[0]}
  local passed failed skipped
  passed=$(sed -n 's/^ *Passed *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  failed=$(sed -n 's/^ *Failed *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  skipped=$(sed -n 's/^ *Unsupported *: *\([0-9]*\).*/\1/p' "$log" | tail -1)
  echo "${passed:-0} passed, ${failed:-0} failed, ${skipped:-0} skipped"
  return "$rc"
}

case ${1:-} in
main) setup; build; main_job ;;
test) setup; build; run_tests ;;
*) echo "usage: bash utils/ci.sh main|test" >&2; exit 2 ;;
esac
