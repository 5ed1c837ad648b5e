#!/bin/sh
# gone.sh PIDFILE: succeeds once the process in PIDFILE has ended (a zombie
# waiting for init to reap it counts as ended), fails after 5 s.
pid=$(cat "$1") || exit 1
i=0
while [ $i -lt 100 ]; do
  state=$(sed -n 's/^[0-9]* (.*) \([A-Z]\).*/\1/p' /proc/$pid/stat 2>/dev/null)
  [ -z "$state" ] || [ "$state" = Z ] && exit 0
  sleep 0.05
  i=$((i + 1))
done
echo "process $pid is still running" >&2
exit 1
