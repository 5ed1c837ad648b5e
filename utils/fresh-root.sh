#!/usr/bin/env bash
# Proves that README's two commands work on a Debian 12 machine where nothing
# was installed by hand: makes a minimal Debian 12 root with debootstrap
# (--variant=minbase: only Essential and Priority: required packages) from
# Debian's archive, copies a clean clone of the committed tree into it, and
# runs `bash utils/ci.sh main` and `bash utils/ci.sh test` there as root.
#
#   bash utils/fresh-root.sh DIR [main|test|both]
#
# DIR is made anew (it must not exist). Needs root and debootstrap, which this
# script installs itself; it is a proof for developers, not part of the build.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: bash utils/fresh-root.sh DIR [main|test|both]}
what=${2:-both}
[ ! -e "$dir" ] || { echo "fresh-root.sh: $dir exists; give a new directory" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "fresh-root.sh: must run as root" >&2; exit 2; }

if ! dpkg-query -W -f='${Status}' debootstrap 2>/dev/null | grep -q 'ok installed'; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    debootstrap >/dev/null
fi

mirror=http://deb.debian.org/debian
# git: to clone the tree inside; ca-certificates: apt's https mirrors.
debootstrap --variant=minbase --include=git,ca-certificates bookworm "$dir" "$mirror"

# The archive suites a Debian 12 machine has by default; LLVM 22 comes from
# bookworm-security.
cat > "$dir/etc/apt/sources.list" <<EOF
deb $mirror bookworm main
deb $mirror bookworm-updates main
deb http://deb.debian.org/debian-security bookworm-security main
EOF
# What the installer writes on every Debian machine and debootstrap does not.
cp /etc/resolv.conf "$dir/etc/resolv.conf"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$dir/etc/hosts"

mounts=()
cleanup() {
  local i
  for ((i = ${#mounts[@]} - 1; i >= 0; i--)); do
    umount -l "${mounts[i]}" 2>/dev/null || true
  done
}
trap cleanup EXIT
bind() { mkdir -p "$dir$2"; mount "${@:3}" "$1" "$dir$2"; mounts+=("$dir$2"); }
# The root must be a mount point of its own: 'ip netns' and 'unshare -m'
# change its propagation, as they do on a real machine's /.
bind "$dir" "" --bind
bind proc /proc -t proc
bind sysfs /sys -t sysfs
bind /dev /dev --rbind
bind tmpfs /tmp -t tmpfs
bind tmpfs /run -t tmpfs

# A clean clone of the committed tree (what CI gets), as the work tree.
git clone -q "$root" "$dir/src"
run() {
  echo "fresh-root.sh: running 'bash utils/ci.sh $1' in $dir"
  chroot "$dir" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 /bin/bash -c "cd /src && bash utils/ci.sh $1"
}
case $what in
main) run main ;;
test) run test ;;
both) run main && run test ;;
*) echo "fresh-root.sh: unknown step '$what'" >&2; exit 2 ;;
esac
echo "fresh-root.sh: '$what' passed in a fresh Debian 12 root"
