#!/bin/sh
# A distributor that records what the linker gave it, then runs
# $DTLTO_REAL_DIST with the same arguments: in $DTLTO_RECORD, the job file
# (job.json), its path (path), what was beside it while the link ran
# (listing) and the arguments, one a line (args). Link it under the name
# the linker should see (e.g. dtlto-dist).
set -e
for JobFile; do :; done
mkdir -p "$DTLTO_RECORD"
printf '%s\n' "$JobFile" > "$DTLTO_RECORD/path"
printf '%s\n' "$@" > "$DTLTO_RECORD/args"
cp "$JobFile" "$DTLTO_RECORD/job.json"
ls -A "$(dirname "$JobFile")" > "$DTLTO_RECORD/listing"
exec "$DTLTO_REAL_DIST" "$@"
