#!/usr/bin/env bash
# Benchmark set-up on a fresh Debian 12: enables Debian's source archive,
# fetches the benchmark programs' sources (7zip, bullet, mafft, and the small
# links: lua5.4, leveldb) into
# bench/work/src and installs what building them needs. Idempotent; as root.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
src_list=/etc/apt/sources.list.d/dtlto-bench-src.sources
if [ ! -f $src_list ]; then
  "${sudo[@]}" tee $src_list > /dev/null <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
fi
"${sudo[@]}" apt-get update -qq
DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -qq \
  --no-install-recommends dpkg-dev make cmake ninja-build >/dev/null
mkdir -p "$here/work/src"
cd "$here/work/src"
for p in mafft bullet 7zip lua5.4 leveldb; do
  ls -d "$p"-*/ >/dev/null 2>&1 || apt-get source -qq "$p"
done
