#!/usr/bin/env bash
# Stops the Swift started by scripts/start-swift.sh with the same STATE_DIR (or
# $SWIFT_DIR). Signals only the processes named in its pid files; keeps the logs.
set -euo pipefail
state="${1:-${SWIFT_DIR:-${TMPDIR:-/tmp}/streamgate-swift}}"
[ -d "$state/run" ] || exit 0
pids=()
for file in "$state"/run/*.pid; do
  [ -e "$file" ] || continue
  pid="$(cat "$file")"
  kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  rm -f "$file"
done
for _ in $(seq 1 50); do
  alive=0
  for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=1; done
  [ "$alive" -eq 0 ] && exit 0
  sleep 0.1
done
for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
