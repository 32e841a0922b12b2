#!/usr/bin/env node
// streamgate runs under the settings of ./node-flags.js. A process started without them
// replaces itself with one that has them (same pid, so signals and supervisors see one
// process); Node before 22.15 has no execve and runs a child instead. The code it runs is
// dist/ when built after every source change, else the TypeScript sources (./source-root.js).
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { nodeFlags } from "./node-flags.js";
import { sourceModule } from "./source-root.js";

const missing = nodeFlags().filter((flag) => !process.execArgv.includes(flag));
if (missing.length > 0) {
  const args = [...missing, ...process.execArgv, fileURLToPath(import.meta.url)];
  args.push(...process.argv.slice(2));
  if (typeof process.execve === "function") {
    process.execve(process.execPath, [process.execPath, ...args], process.env);
  }
  const child = spawnSync(process.execPath, args, { stdio: "inherit" });
  process.exit(child.status ?? 1);
}

const { main } = await import(sourceModule("cli/main").href);
process.exitCode = await main(process.argv);
