import { readFileSync } from "node:fs";
import { join } from "node:path";
import { expect, it } from "vitest";

// `npm ci` refuses a lock file that lacks any optional dependency, even one for another
// platform; our registry serves Linux builds only, so scripts/lockfile-platform-stubs.ts
// must run after every `npm install`.
it("lists every optional dependency so npm ci accepts the lock file", () => {
  const lock = JSON.parse(
    readFileSync(join(import.meta.dirname, "../package-lock.json"), "utf8"),
  ) as {
    packages: Record<string, { optionalDependencies?: Record<string, string> }>;
  };
  const missing = Object.values(lock.packages).flatMap((entry) =>
    Object.keys(entry.optionalDependencies ?? {}).filter(
      (name) => !(`node_modules/${name}` in lock.packages),
    ),
  );
  expect(missing, "run: node scripts/lockfile-platform-stubs.ts").toEqual([]);
});
