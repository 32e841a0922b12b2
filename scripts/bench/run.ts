/**
 * `npm run bench`: every benchmark that needs nothing but Node, one child process each so
 * they do not disturb each other's heap. Each prints its own figures as ratios against a
 * baseline it measures in the same run. `npm run bench:serve` (nginx, wrk) and
 * `npm run bench:sync` (nginx, curl) are separate because they need system packages.
 */
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const BENCHMARKS = ["core-parse.ts", "sync-noop.ts", "images.ts"];

let failed = 0;
for (const name of BENCHMARKS) {
  process.stdout.write(`\n## ${name}\n`);
  const result = spawnSync(process.execPath, [join(import.meta.dirname, name)], {
    stdio: "inherit",
  });
  if (result.status !== 0) {
    failed += 1;
    process.stderr.write(`bench ${name} exited with ${result.status ?? result.signal}\n`);
  }
}
process.exitCode = failed === 0 ? 0 : 1;
