#!/usr/bin/env bash
# `npm run test:system`: the suites that need system services. Each suite starts what it
# needs through the starters in scripts/ and fails (never skips) when a service is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v chromium >/dev/null 2>&1 || {
  echo "test:system needs Debian's chromium: run scripts/install-system-deps.sh" >&2
  exit 1
}
exec npx vitest run --config vitest.system.config.ts "$@"
