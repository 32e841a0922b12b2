#!/usr/bin/env bash
# Starts an all-in-one OpenStack Swift with its S3 API (s3api) on loopback for the S3
# store's system tests, in the background, and prints its S3 endpoint on stdout.
#
#   scripts/start-swift.sh [STATE_DIR]      stop: scripts/stop-swift.sh [STATE_DIR]
#
# STATE_DIR (or $SWIFT_DIR; default ${TMPDIR:-/tmp}/streamgate-swift) holds the config,
# rings, the one device, pid files and logs; it is wiped on every start. The proxy
# listens on 127.0.0.1:$SWIFT_PORT (default 8081); object, container and account servers
# on the three ports after it. S3 credentials: access key `test:tester`, secret `testing`,
# region us-east-1, path-style addressing. Installs Debian's swift packages when missing
# (needs root or sudo). Known limits of this s3api (Swift 2.30): conditional PUTs answer
# 501, DeleteObjects needs Content-MD5, aws-chunked uploads answer 501.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
state="${1:-${SWIFT_DIR:-${TMPDIR:-/tmp}/streamgate-swift}}"
port="${SWIFT_PORT:-8081}"
object_port=$((port + 1))
container_port=$((port + 2))
account_port=$((port + 3))
endpoint="http://127.0.0.1:${port}"

# curl: the readiness check below.
packages=(swift-proxy swift-object swift-container swift-account curl)
installed() {
  local status
  status="$(dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null)" || return 1
  [ "$(grep -c '^install ok installed$' <<<"$status")" -eq "${#packages[@]}" ]
}
if ! installed; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "start-swift: installing ${packages[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Install from the package lists present; refresh them only when that fails.
  if ! "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null; then
    "${sudo_cmd[@]}" apt-get update -qq
    "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${packages[@]}" >/dev/null
  fi
fi
# Hash prefix/suffix and storage policies are read from this fixed path by every server.
[ -f /etc/swift/swift.conf ] || {
  echo "start-swift: /etc/swift/swift.conf is missing (it ships with swift-proxy)" >&2
  exit 1
}

"$here/stop-swift.sh" "$state" >/dev/null 2>&1 || true
rm -rf "$state"
mkdir -p "$state/etc" "$state/node/d1" "$state/run" "$state/log"
state="$(cd "$state" && pwd)"

fill() {
  sed -e "s|@PROXY_PORT@|${port}|g" \
    -e "s|@OBJECT_PORT@|${object_port}|g" \
    -e "s|@CONTAINER_PORT@|${container_port}|g" \
    -e "s|@ACCOUNT_PORT@|${account_port}|g" \
    -e "s|@USER@|$(id -un)|g" \
    -e "s|@ETC@|${state}/etc|g" \
    -e "s|@DEVICES@|${state}/node|g" \
    "$here/swift/$1.conf.in" >"$state/etc/$1.conf"
}
for server in proxy-server object-server container-server account-server; do fill "$server"; done

# Debian's own Python and a clean PATH, so a project or CI toolchain cannot shadow them;
# no .pyc files next to scripts/swift/streamgate_swift_cache.py.
clean_env=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$state" LANG=C.UTF-8
  PYTHONDONTWRITEBYTECODE=1)
run() { "${clean_env[@]}" "$@"; }

# One replica, one device, 2^8 partitions (`swift-ring-builder X.builder create 8 1 1`,
# `add r1z1-127.0.0.1:PORT/d1 100`, `rebalance`), built in one Python process rather than
# nine CLI runs (~0.4 s each).
run /usr/bin/python3 - "$state/etc" "object:$object_port" "container:$container_port" \
  "account:$account_port" <<'PYTHON'
import sys
from swift.common.ring import RingBuilder

etc = sys.argv[1]
for spec in sys.argv[2:]:
    name, port = spec.split(":")
    builder = RingBuilder(8, 1, 1)
    builder.add_dev({"id": 0, "region": 1, "zone": 1, "ip": "127.0.0.1", "port": int(port),
                     "device": "d1", "weight": 100, "meta": ""})
    builder.rebalance()
    builder.save(f"{etc}/{name}.builder")
    builder.get_ring().save(f"{etc}/{name}.ring.gz")
PYTHON

start() {
  local server="$1"
  shift
  # A plain command in the background, so $! is the server itself (env execs it), not a
  # subshell that would outlive a kill. -v also logs to stderr, into the log file (there
  # is no syslog here).
  "${clean_env[@]}" "$@" "/usr/bin/swift-$server" "$state/etc/$server.conf" -v \
    >>"$state/log/$server.log" 2>&1 </dev/null &
  echo $! >"$state/run/$server.pid"
}
start account-server
start container-server
start object-server
start proxy-server PYTHONPATH="$here/swift"

# Up means: every server's healthcheck answers and tempauth hands out a token (which
# exercises the proxy's pipeline, the cache and the account server).
answers() { curl -fsS -o /dev/null --max-time 2 "$@" 2>/dev/null; }
for _ in $(seq 1 150); do
  for server in proxy-server object-server container-server account-server; do
    if ! kill -0 "$(cat "$state/run/$server.pid")" 2>/dev/null; then
      echo "start-swift: swift-$server exited; its log:" >&2
      tail -n 30 "$state/log/$server.log" >&2
      exit 1
    fi
  done
  if answers "http://127.0.0.1:${object_port}/healthcheck" \
    && answers "http://127.0.0.1:${container_port}/healthcheck" \
    && answers "http://127.0.0.1:${account_port}/healthcheck" \
    && answers "${endpoint}/healthcheck" \
    && answers -H "X-Auth-User: test:tester" -H "X-Auth-Key: testing" "${endpoint}/auth/v1.0"; then
    echo "$endpoint"
    exit 0
  fi
  sleep 0.2
done
echo "start-swift: no answer from ${endpoint} after 30 s; logs in ${state}/log" >&2
exit 1
