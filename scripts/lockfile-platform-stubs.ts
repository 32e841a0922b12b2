/**
 * The npm registry reachable from our build machines serves Linux builds only: platform
 * packages for macOS, Windows, Android and musl (optional dependencies of biome and
 * workerd) are missing from it. `npm install` then leaves them out of package-lock.json,
 * and `npm ci` refuses the lock file ("Missing: @biomejs/cli-darwin-arm64@ from lock
 * file"). This adds lock entries for them, marked optional with their os/cpu, so `npm ci`
 * skips them on Linux and installs them elsewhere. Run it after every `npm install`:
 *   node scripts/lockfile-platform-stubs.ts
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

interface Platform {
  os: string[];
  cpu: string[];
  libc?: string[];
}

const PLATFORMS: Record<string, Platform> = {
  "@biomejs/cli-android-arm64": { os: ["android"], cpu: ["arm64"] },
  "@biomejs/cli-android-x64": { os: ["android"], cpu: ["x64"] },
  "@biomejs/cli-darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "@biomejs/cli-darwin-x64": { os: ["darwin"], cpu: ["x64"] },
  "@biomejs/cli-linux-arm64-musl": { os: ["linux"], cpu: ["arm64"], libc: ["musl"] },
  "@biomejs/cli-linux-x64-musl": { os: ["linux"], cpu: ["x64"], libc: ["musl"] },
  "@biomejs/cli-win32-arm64": { os: ["win32"], cpu: ["arm64"] },
  "@biomejs/cli-win32-x64": { os: ["win32"], cpu: ["x64"] },
  "@cloudflare/workerd-darwin-64": { os: ["darwin"], cpu: ["x64"] },
  "@cloudflare/workerd-darwin-arm64": { os: ["darwin"], cpu: ["arm64"] },
  "@cloudflare/workerd-windows-64": { os: ["win32"], cpu: ["x64"] },
};

interface LockEntry {
  version?: string;
  dev?: boolean;
  optionalDependencies?: Record<string, string>;
  [field: string]: unknown;
}

const path = join(import.meta.dirname, "../package-lock.json");
const lock = JSON.parse(readFileSync(path, "utf8")) as { packages: Record<string, LockEntry> };
const added: string[] = [];
for (const [location, entry] of Object.entries(lock.packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const key = `node_modules/${name}`;
    const platform = PLATFORMS[name];
    if (key in lock.packages || platform === undefined) continue;
    lock.packages[key] = {
      version,
      ...platform,
      ...(entry.dev ? { dev: true } : {}),
      optional: true,
    };
    added.push(`${name}@${version} (for ${location})`);
  }
}
const sorted = Object.fromEntries(
  Object.entries(lock.packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a < b ? -1 : 1)),
);
writeFileSync(path, `${JSON.stringify({ ...lock, packages: sorted }, null, 2)}\n`);
process.stdout.write(added.length === 0 ? "lock file complete\n" : `added ${added.join(", ")}\n`);
