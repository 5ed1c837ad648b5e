#!/usr/bin/env bash
# Builds each benchmark program's translation units to ThinLTO bitcode with
# clang-22 at -O2, linking through bench/capture-ld.sh so that every link is
# recorded (bench/work/<program>/links/), and picks the program's final link
# (bench/work/<program>/link and link.args). Compiler output goes to
# bench/work/<program>/build.log. Run bench/setup.sh first.
#   bench/build.sh [mafft] [bullet] [7zip] [lua] [leveldb] [lua-g] [leveldb-g]
# lua-g and leveldb-g are lua and leveldb with Debian's package flags
# (dpkg-buildflags: -g -O2 -fstack-protector-strong ...): debug information
# makes every module, shard and object several times larger.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work=$here/work
capture=$here/capture-ld.sh
lto_ld="-flto=thin -fuse-ld=lld --ld-path=$capture"

pick() { # program, output name
  local dir=$work/$1/links f
  for f in "$dir"/link-*.args; do
    if tr '\0' '\n' < "$f" | grep -A1 -x -- -o | tail -1 | grep -q "$2\$"; then
      cp "${f%.args}" "$work/$1/link"
      cp "$f" "$work/$1/link.args"
      echo "$1: final link recorded ($(tr '\0' ' ' < "$f" | wc -c) bytes of arguments)"
      return
    fi
  done
  echo "$1: no link of '$2' was recorded" >&2
  exit 1
}

build_mafft() {
  local s=$(ls -d "$work"/src/mafft-*/ | head -1)
  rm -rf "$work/mafft" && mkdir -p "$work/mafft/links"
  make -s -C "$s/core" clean >/dev/null 2>&1 || true
  DTLTO_BENCH_LINKS=$work/mafft/links make -s -j2 -C "$s/core" CC=clang-22 \
    CFLAGS="-O2 -flto=thin" LDFLAGS="$lto_ld" > "$work/mafft/build.log" 2>&1
  ln -sfn "$s" "$work/mafft/src"
  pick mafft dvtditr
}

build_bullet() {
  local s=$(ls -d "$work"/src/bullet-*/ | head -1) b=$work/bullet/build
  rm -rf "$work/bullet" && mkdir -p "$work/bullet/links" "$b"
  cmake -S "$s" -B "$b" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_C_FLAGS_RELEASE="-O2 -DNDEBUG" -DCMAKE_CXX_FLAGS_RELEASE="-O2 -DNDEBUG" \
    -DCMAKE_C_FLAGS=-flto=thin -DCMAKE_CXX_FLAGS=-flto=thin \
    -DCMAKE_AR=/usr/bin/llvm-ar-22 -DCMAKE_RANLIB=/usr/bin/llvm-ranlib-22 \
    -DBUILD_SHARED_LIBS=OFF -DBUILD_OPENGL3_DEMOS=OFF -DBUILD_BULLET2_DEMOS=OFF \
    -DBUILD_CPU_DEMOS=OFF -DBUILD_EXTRAS=OFF -DBUILD_PYBULLET=OFF \
    -DBUILD_ENET=OFF -DBUILD_CLSOCKET=OFF -DBUILD_UNIT_TESTS=OFF \
    -DBUILD_EGL=OFF -DBUILD_BULLET3=OFF > "$work/bullet/build.log" 2>&1
  ninja -C "$b" >> "$work/bullet/build.log" 2>&1
  cd "$b"
  clang++-22 -O2 -flto=thin -I"$s/src" -c "$here/programs/bullet-hello.cpp" \
    -o bullet-hello.o
  DTLTO_BENCH_LINKS=$work/bullet/links clang++-22 $lto_ld bullet-hello.o \
    src/BulletDynamics/libBulletDynamics.a src/BulletCollision/libBulletCollision.a \
    src/LinearMath/libLinearMath.a -o bullet-hello
  pick bullet bullet-hello
}

build_7zip() {
  local s=$(ls -d "$work"/src/7zip-*/ | head -1)
  rm -rf "$work/7zip" && mkdir -p "$work/7zip/links"
  make -s -C "$s/CPP/7zip/Bundles/Alone2" -f ../../cmpl_clang.mak clean \
    >/dev/null 2>&1 || true
  DTLTO_BENCH_LINKS=$work/7zip/links make -s -j2 -C "$s/CPP/7zip/Bundles/Alone2" \
    -f ../../cmpl_clang.mak CC=clang-22 CXX=clang++-22 DISABLE_RAR=1 \
    DEB_7Z_CFLAGS=-flto=thin DEB_7Z_CXXFLAGS=-flto=thin \
    DEB_7Z_LDFLAGS="$lto_ld" CFLAGS_WARN_WALL="-Wall -Wextra" CFLAGS_WARN= \
    > "$work/7zip/build.log" 2>&1
  ln -sfn "$s" "$work/7zip/src"
  pick 7zip 7zz
}

# A small C link: the Lua 5.4 interpreter, lua.o and liblua.a (32 modules,
# as Lua's own Makefile splits them), compiled here without its build system.
build_lua() { # [name] [extra compiler flags]
  local name=${1:-lua} flags=${2:-}
  local s=$(ls -d "$work"/src/lua5.4-*/ | head -1) b=$work/$name/build
  rm -rf "$work/$name" && mkdir -p "$work/$name/links" "$b"
  cd "$b"
  # Debian's patch to luaconf.h includes a header its build generates.
  echo "#define DEB_HOST_MULTIARCH \"$(dpkg-architecture -qDEB_HOST_MULTIARCH)\"" \
    > lua5.4-deb-multiarch.h
  local core="lapi lcode lctype ldebug ldo ldump lfunc lgc llex lmem lobject
    lopcodes lparser lstate lstring ltable ltm lundump lvm lzio lauxlib lbaselib
    lcorolib ldblib liolib lmathlib loadlib loslib lstrlib ltablib lutf8lib linit"
  local m
  for m in $core lua; do
    clang-22 -O2 $flags -flto=thin -DLUA_COMPAT_5_3 -DLUA_USE_LINUX -I. \
      -c "$s/src/$m.c" -o "$m.o" >> "$work/$name/build.log" 2>&1
  done
  llvm-ar-22 rcs liblua.a $(for m in $core; do echo "$m.o"; done)
  DTLTO_BENCH_LINKS=$work/$name/links clang-22 $lto_ld lua.o liblua.a -lm -ldl \
    -Wl,-E -o lua
  ln -sfn "$s" "$work/$name/src"
  pick "$name" lua
}

# A small C++ link: leveldb's static library (an archive) and a driver.
build_leveldb() { # [name] [extra compiler flags]
  local name=${1:-leveldb} flags=${2:-}
  local s=$(ls -d "$work"/src/leveldb-*/ | head -1) b=$work/$name/build
  rm -rf "$work/$name" && mkdir -p "$work/$name/links" "$b"
  cmake -S "$s" -B "$b" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_C_COMPILER=clang-22 -DCMAKE_CXX_COMPILER=clang++-22 \
    -DCMAKE_C_FLAGS_RELEASE="-O2 $flags -DNDEBUG" \
    -DCMAKE_CXX_FLAGS_RELEASE="-O2 $flags -DNDEBUG" \
    -DCMAKE_C_FLAGS=-flto=thin -DCMAKE_CXX_FLAGS=-flto=thin \
    -DCMAKE_AR=/usr/bin/llvm-ar-22 -DCMAKE_RANLIB=/usr/bin/llvm-ranlib-22 \
    -DBUILD_SHARED_LIBS=OFF -DLEVELDB_BUILD_TESTS=OFF \
    -DLEVELDB_BUILD_BENCHMARKS=OFF -DLEVELDB_INSTALL=OFF \
    > "$work/$name/build.log" 2>&1
  ninja -C "$b" leveldb >> "$work/$name/build.log" 2>&1
  cd "$b"
  clang++-22 -O2 $flags -flto=thin -I"$s/include" \
    -c "$here/programs/leveldb-hello.cpp" -o leveldb-hello.o
  DTLTO_BENCH_LINKS=$work/$name/links clang++-22 $lto_ld leveldb-hello.o \
    libleveldb.a -lpthread -o leveldb-hello
  pick "$name" leveldb-hello
}

# Debian's package flags (dpkg-buildflags on Debian 12, without the file
# prefix map, whose path is the package's).
deb_flags="-g -fstack-protector-strong -Wformat -Werror=format-security"
build_lua-g() { build_lua lua-g "$deb_flags"; }
build_leveldb-g() { build_leveldb leveldb-g "$deb_flags"; }

for p in "${@:-mafft bullet 7zip lua leveldb}"; do
  for q in $p; do "build_$q"; done
done
