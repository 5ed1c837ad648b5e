#!/bin/sh
# A --ld-path for package builds: records every link (working directory and
# arguments, NUL-separated) in $DTLTO_BENCH_LINKS/, then links with Debian's
# ld.lld-22 so the build goes on.
set -eu
n=$(ls "$DTLTO_BENCH_LINKS" | wc -l)
f="$DTLTO_BENCH_LINKS/link-$n"
pwd > "$f"
for a in "$@"; do printf '%s\0' "$a"; done > "$f.args"
exec ld.lld-22 "$@"
