#!/usr/bin/env bash
# Builds the bundled sample program (test/Inputs/sample) into OUTDIR with
# ThinLTO: C and C++ modules, four of them in the archive libutil.a.
#   utils/build-sample.sh OUTDIR dtlto [DISTRIBUTOR]   link through our ld.lld
#   utils/build-sample.sh OUTDIR inprocess              Debian's ld.lld-22
# Extra link flags may be given in LDFLAGS. The tools come from DTLTO_BIN
# (the lit suite sets it to the tree under test; default: build/bin). Prints
# the link command; the program is OUTDIR/app.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${DTLTO_BIN:-$root/build/bin}
out=$1 mode=$2 dist=${3:-$bin/dtlto-dist}
src=$root/test/Inputs/sample
clang=${CLANG:-clang-22}
mkdir -p "$out"
cd "$out"
for f in "$src"/*.c "$src"/*.cpp; do
  base=$(basename "$f")
  "$clang" -O2 -flto=thin -I"$src" -c "$f" -o "${base%.*}.o"
done
rm -f libutil.a
llvm-ar-22 rcs libutil.a crc32.o sort.o matrix.o text.o
objs=(main.o shapes.o stats.o registry.o global.o vec.o hash.o strutil.o)
case $mode in
dtlto)
  cmd=("$clang" --driver-mode=g++ -flto=thin -fthinlto-distributor="$dist"
       --ld-path="$bin/ld.lld" ${LDFLAGS:-} "${objs[@]}" libutil.a -o app) ;;
inprocess)
  cmd=("$clang" --driver-mode=g++ -flto=thin -fuse-ld=lld
       --ld-path=/usr/bin/ld.lld-22 ${LDFLAGS:-} "${objs[@]}" libutil.a -o app) ;;
*) echo "unknown mode '$mode'" >&2; exit 2 ;;
esac
echo "${cmd[*]}"
"${cmd[@]}"
