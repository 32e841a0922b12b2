#!/usr/bin/env bash
# Starts a real OpenStack Keystone and two Glance APIs (regions RegionOne and RegionTwo,
# each with its own images) on loopback for streamgate's system tests, in the background,
# and prints openrc-style `export OS_…=` lines for the admin on stdout.
#
#   scripts/openstack/start-openstack.sh [STATE_DIR]
#   stop:  scripts/openstack/stop-openstack.sh [STATE_DIR]
#
# STATE_DIR (or $OPENSTACK_DIR; default ${TMPDIR:-/tmp}/streamgate-openstack) holds the
# configs, sqlite databases, key repositories, image files, pid files and logs; it is
# wiped on every start and nothing under /etc is read or written, so runs are isolated.
# Ports on 127.0.0.1: $KEYSTONE_PORT (default 35357), $GLANCE_ONE_PORT (9292, RegionOne)
# and $GLANCE_TWO_PORT (9293, RegionTwo). Admin: user `admin`, project `admin`, domain
# `Default`, password $OS_ADMIN_PASSWORD (default `streamgate-admin`). Keystone publishes
# identity and image endpoints (public, internal, admin) in both regions.
#
# Installs Debian's keystone and glance-api when missing (needs root or sudo; about a
# minute), without letting them configure or start anything system-wide. Returns once
# Keystone issues tokens and both Glance APIs answer an authenticated image list, or
# fails after $OPENSTACK_START_TIMEOUT seconds (default 90) with the logs' tail.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
state="${1:-${OPENSTACK_DIR:-${TMPDIR:-/tmp}/streamgate-openstack}}"
keystone_port="${KEYSTONE_PORT:-35357}"
glance_one_port="${GLANCE_ONE_PORT:-9292}"
glance_two_port="${GLANCE_TWO_PORT:-9293}"
admin_password="${OS_ADMIN_PASSWORD:-streamgate-admin}"
timeout="${OPENSTACK_START_TIMEOUT:-90}"
auth_url="http://127.0.0.1:${keystone_port}/v3"
glance_one_url="http://127.0.0.1:${glance_one_port}"
glance_two_url="http://127.0.0.1:${glance_two_port}"
for port in "$keystone_port" "$glance_one_port" "$glance_two_port"; do
  [[ "$port" =~ ^[0-9]+$ ]] || { echo "start-openstack: port \`$port\` is not a number" >&2; exit 1; }
done
# It goes into JSON and config files as it is.
[[ "$admin_password" =~ ^[A-Za-z0-9._-]+$ ]] || {
  echo 'start-openstack: `OS_ADMIN_PASSWORD` may hold only letters, digits, ".", "_" and "-"' >&2
  exit 1
}
# Only Glance itself ever uses this password, and only for this run.
glance_password="$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')"

fail() {
  echo "start-openstack: $1" >&2
  if [ -n "${2:-}" ] && [ -f "$state/log/$2.log" ]; then
    echo "--- the end of $state/log/$2.log:" >&2
    tail -n 40 "$state/log/$2.log" >&2
  fi
  exit 1
}

sudo_cmd=()
[ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
packages=(keystone glance-api uwsgi-plugin-python3 sqlite3)
installed() {
  local status
  status="$(dpkg-query -W -f='${Status}\n' "${packages[@]}" 2>/dev/null)" || return 1
  [ "$(grep -c '^install ok installed$' <<<"$status")" -eq "${#packages[@]}" ]
}
apt_install() {
  "${sudo_cmd[@]}" apt-get install -y -q --no-install-recommends \
    -o DPkg::Lock::Timeout=120 "${packages[@]}" >>"$state/log/install.log" 2>&1
}
install_packages() {
  echo "start-openstack: installing ${packages[*]} (about a minute)" >&2
  export DEBIAN_FRONTEND=noninteractive
  # Left alone, the packages would offer to set up databases, RabbitMQ and endpoints in
  # /etc; these runs configure everything themselves, in STATE_DIR.
  "${sudo_cmd[@]}" debconf-set-selections <<'EOF'
keystone keystone/configure_db boolean false
keystone keystone/create-admin-tenant boolean false
keystone keystone/register-endpoint boolean false
glance-common glance/configure_db boolean false
glance-common glance/configure_rabbit boolean false
glance-common glance/configure_ksat boolean false
glance-api glance/configure_api-endpoint boolean false
EOF
  # Nor may the packaged services start (on /etc defaults, port 5000 and 9292): a
  # policy-rc.d that refuses, removed afterwards only if this script made it.
  local policy=/usr/sbin/policy-rc.d made_policy=0 status=0
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' | "${sudo_cmd[@]}" tee "$policy" >/dev/null
    "${sudo_cmd[@]}" chmod 755 "$policy"
    made_policy=1
    trap '"${sudo_cmd[@]}" rm -f "$policy"' EXIT
  fi
  # Install from the package lists present; refresh them only when that fails.
  apt_install || { "${sudo_cmd[@]}" apt-get update -q >>"$state/log/install.log" 2>&1 && apt_install; } || status=$?
  if [ "$made_policy" -eq 1 ]; then
    "${sudo_cmd[@]}" rm -f "$policy"
    trap - EXIT
  fi
  [ "$status" -eq 0 ] || fail "installing ${packages[*]} failed" install
}

"$here/stop-openstack.sh" "$state" >/dev/null 2>&1 || true
rm -rf "$state"
mkdir -p "$state/etc" "$state/keystone" "$state/run" "$state/log"
state="$(cd "$state" && pwd)"
installed || install_packages

for name in one two; do
  mkdir -p "$state/glance-$name/images" "$state/glance-$name/staging" \
    "$state/glance-$name/tasks" "$state/glance-$name/lock"
done
fill() { # TEMPLATE OUTPUT NAME PORT REGION
  sed -e "s|@STATE@|${state}|g" -e "s|@AUTH_URL@|${auth_url}|g" \
    -e "s|@GLANCE_PASSWORD@|${glance_password}|g" -e "s|@NAME@|${3:-}|g" \
    -e "s|@PORT@|${4:-}|g" -e "s|@REGION@|${5:-}|g" \
    "$here/$1" >"$state/etc/$2"
}
fill keystone.conf.in keystone.conf
fill glance-api.conf.in glance-one.conf one "$glance_one_port" RegionOne
fill glance-api.conf.in glance-two.conf two "$glance_two_port" RegionTwo

# Debian's own Python tools, with a clean PATH and environment, so a project or CI
# toolchain (a pyenv python3, say) cannot shadow them.
clean_env=(env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME="$state" LANG=C.UTF-8)
setup() { # NAME COMMAND… : one setup command, its output in log/NAME.log
  local name="$1"
  shift
  "${clean_env[@]}" "$@" >"$state/log/$name.log" 2>&1 </dev/null || fail "$name failed" "$name"
}
start_service() { # NAME COMMAND… : a server in the background, its pid in run/NAME.pid
  local name="$1"
  shift
  "${clean_env[@]}" "$@" >>"$state/log/$name.log" 2>&1 </dev/null &
  echo $! >"$state/run/$name.pid"
}
background=()
on_exit() {
  local status=$?
  [ "$status" -eq 0 ] && return
  # Let setup steps still running finish (they are short) before stopping what started.
  [ "${#background[@]}" -eq 0 ] || wait "${background[@]}" 2>/dev/null || true
  "$here/stop-openstack.sh" "$state" >/dev/null 2>&1 || true
}
trap on_exit EXIT
started="$(date +%s)"

# Glance needs nothing from Keystone to boot, so both start while Keystone is set up.
# One migration serves both: an sqlite database is a single self-contained file.
(
  setup glance-db-sync glance-manage --config-file "$state/etc/glance-one.conf" db_sync
  cp "$state/glance-one/glance.db" "$state/glance-two/glance.db"
  start_service glance-one /usr/bin/glance-api --config-file "$state/etc/glance-one.conf"
  start_service glance-two /usr/bin/glance-api --config-file "$state/etc/glance-two.conf"
) &
background+=($!)

keystone_manage=(/usr/bin/keystone-manage --config-file "$state/etc/keystone.conf")
owner=(--keystone-user "$(id -un)" --keystone-group "$(id -gn)")
# The key repositories need no database, so they are made while it migrates.
setup keystone-fernet-setup "${keystone_manage[@]}" fernet_setup "${owner[@]}" &
background+=($!)
setup keystone-credential-setup "${keystone_manage[@]}" credential_setup "${owner[@]}" &
background+=($!)
setup keystone-db-sync "${keystone_manage[@]}" db_sync
# Keystone leaves a read transaction open from one request to the next, which in
# sqlite's default journal mode blocks the next request's write ("database is locked",
# seen on POST /v3/regions then /v3/endpoints); in WAL mode readers never block a writer.
setup keystone-wal /usr/bin/sqlite3 "$state/keystone/keystone.db" 'PRAGMA journal_mode=WAL;'
for job in "${background[@]}"; do wait "$job" || exit 1; done
background=()

# One process with one thread: sqlite takes one writer at a time. Every answer closes its
# connection, as keep-alive clients otherwise reuse sockets the lone worker has dropped.
# It boots (seconds of imports) while the admin is bootstrapped; token requests that come
# before the admin exists fail and are retried below.
start_service keystone env OS_KEYSTONE_CONFIG_FILES="$state/etc/keystone.conf" \
  /usr/bin/uwsgi --plugin python3 --http-socket "127.0.0.1:${keystone_port}" \
  --wsgi-file /usr/bin/keystone-wsgi-public --processes 1 --threads 1 \
  --need-app --die-on-term --skip-atexit-teardown --buffer-size 65535 \
  --add-header 'Connection: close'
setup keystone-bootstrap env OS_BOOTSTRAP_PASSWORD="$admin_password" \
  "${keystone_manage[@]}" bootstrap --bootstrap-region-id RegionOne \
  --bootstrap-admin-url "$auth_url" --bootstrap-public-url "$auth_url" \
  --bootstrap-internal-url "$auth_url"

admin_token() {
  curl -fsS --max-time 5 -o /dev/null -D - -H 'Content-Type: application/json' \
    --data-binary @- "$auth_url/auth/tokens" 2>/dev/null <<EOF |
{"auth": {"identity": {"methods": ["password"], "password": {"user": {"name": "admin",
  "domain": {"id": "default"}, "password": "$admin_password"}}},
  "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}
EOF
    awk 'tolower($1) == "x-subject-token:" { sub(/\r$/, "", $2); print $2 }'
}
answers() { curl -fsS -o /dev/null --max-time 5 "$@" 2>/dev/null; }
# Up means the health check answers and so does an image list, for which Glance's
# keystonemiddleware logs in as the service user and validates the admin's token.
glance_answers() { answers "$1/healthcheck" && answers -H "X-Auth-Token: $2" "$1/v2/images"; }
alive_or_fail() {
  local service
  for service in keystone glance-one glance-two; do
    kill -0 "$(cat "$state/run/$service.pid" 2>/dev/null)" 2>/dev/null \
      || fail "$service exited" "$service"
  done
}
in_time_or_fail() {
  [ "$(($(date +%s) - started))" -lt "$timeout" ] \
    || fail "$1 did not answer within ${timeout} s" "$1"
}

until token="$(admin_token)" && [ -n "$token" ]; do
  alive_or_fail
  in_time_or_fail keystone
  sleep 0.2
done
setup register-catalog env ADMIN_PASSWORD="$admin_password" \
  GLANCE_PASSWORD="$glance_password" /usr/bin/python3 "$here/register-catalog.py" \
  "$auth_url" "RegionOne=$glance_one_url" "RegionTwo=$glance_two_url"
declare -A glance_urls=([glance-one]="$glance_one_url" [glance-two]="$glance_two_url")
pending=(glance-one glance-two)
while :; do
  alive_or_fail
  # Both at once: a Glance's first authenticated request takes about a second (it logs
  # in as the service user, then validates the token).
  checks=()
  for service in "${pending[@]}"; do
    glance_answers "${glance_urls[$service]}" "$token" &
    checks+=($!)
  done
  still=()
  for i in "${!pending[@]}"; do wait "${checks[$i]}" || still+=("${pending[$i]}"); done
  [ "${#still[@]}" -gt 0 ] || break
  pending=("${still[@]}")
  in_time_or_fail "${pending[0]}"
  sleep 0.2
done

echo "start-openstack: ready in $(($(date +%s) - started)) s; logs in $state/log" >&2
printf 'export %s=%q\n' OS_AUTH_URL "$auth_url" OS_IDENTITY_API_VERSION 3 \
  OS_USERNAME admin OS_PASSWORD "$admin_password" OS_PROJECT_NAME admin \
  OS_USER_DOMAIN_NAME Default OS_PROJECT_DOMAIN_NAME Default OS_REGION_NAME RegionOne
echo "# image (Glance) endpoints: RegionOne $glance_one_url, RegionTwo $glance_two_url"
