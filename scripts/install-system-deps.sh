#!/usr/bin/env bash
# Debian packages the tests need: gpgv checks the signatures we write (npm test); Chromium
# renders the browse page and nginx runs infra/nginx/streamgate.conf (test:system; nginx is
# also the baseline of `npm run bench:serve`). Installs only what is missing.
set -euo pipefail
# nginx lives in /usr/sbin, which is not on a normal user's PATH.
PATH="$PATH:/usr/sbin"
need=()
command -v gpgv >/dev/null 2>&1 || need+=(gpgv)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v nginx >/dev/null 2>&1 || need+=(nginx)
if [ "${#need[@]}" -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "system packages ready: gpgv $(gpgv --version | head -1 | awk '{print $3}'), $(chromium --version 2>/dev/null), $(nginx -v 2>&1)"
