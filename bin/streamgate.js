#!/usr/bin/env node
// streamgate runs its TypeScript sources directly. Node ≥ 22.18 strips types by default;
// 22.12–22.17 needs the flag, so re-run once with it there.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

if (!process.features.typescript) {
  const flags = ["--experimental-strip-types", "--disable-warning=ExperimentalWarning"];
  const self = fileURLToPath(import.meta.url);
  const child = spawnSync(process.execPath, [...flags, self, ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  process.exit(child.status ?? 1);
}

const { main } = await import("../src/cli/main.ts");
process.exitCode = await main(process.argv);
