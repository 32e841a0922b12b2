#!/usr/bin/env bash
# Debian packages the tests need: gpgv checks the signatures we write (npm test); Chromium
# renders the browse page (test:system). Installs only what is missing.
set -euo pipefail
need=()
command -v gpgv >/dev/null 2>&1 || need+=(gpgv)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
if [ "${#need[@]}" -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get update -qq
  "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
echo "system packages ready: gpgv $(gpgv --version | head -1 | awk '{print $3}'), $(chromium --version 2>/dev/null)"
