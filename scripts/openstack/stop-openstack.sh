#!/usr/bin/env bash
# Stops the Keystone and Glance APIs started by scripts/openstack/start-openstack.sh with
# the same STATE_DIR (or $OPENSTACK_DIR). Signals only the processes named in its pid
# files; keeps the logs.
set -euo pipefail
state="${1:-${OPENSTACK_DIR:-${TMPDIR:-/tmp}/streamgate-openstack}}"
[ -d "$state/run" ] || exit 0
pids=()
for file in "$state"/run/*.pid; do
  [ -e "$file" ] || continue
  pid="$(cat "$file")"
  kill -TERM "$pid" 2>/dev/null && pids+=("$pid")
  rm -f "$file"
done
[ "${#pids[@]}" -gt 0 ] || exit 0
# An exited server whose parent has not reaped it yet (a zombie) counts as stopped: the
# start script is gone, and an init that reaps slowly would otherwise cost seconds.
running() {
  local fields
  fields="$(cat "/proc/$1/stat" 2>/dev/null)" || return 1
  # The state is the first field after the command name, which ends with ") ".
  fields="${fields##*) }"
  [ "${fields:0:1}" != Z ]
}
for _ in $(seq 1 50); do
  alive=0
  for pid in "${pids[@]}"; do running "$pid" && alive=1; done
  [ "$alive" -eq 0 ] && exit 0
  sleep 0.1
done
for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
