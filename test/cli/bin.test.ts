/**
 * bin/streamgate.js runs the CLI under bin/node-flags.js, replacing a process started
 * without them by one that has them: the same pid, so supervisors and `kill` still reach it.
 */
import { spawn } from "node:child_process";
import { describe, expect, it } from "vitest";
import { CLI } from "./run-cli.ts";

// Preloaded into the child: at exit, says which pid it was and what flags it ran under.
const REPORT = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\n"+JSON.stringify({pid:process.pid,execArgv:process.execArgv})+"\\n"))`;

function runBin(env: NodeJS.ProcessEnv = {}) {
  return new Promise<{ spawnedPid: number; pid: number; execArgv: string[]; stdout: string }>(
    (resolve, reject) => {
      const child = spawn(process.execPath, ["--import", REPORT, CLI, "--version"], {
        env: { ...process.env, NODE_OPTIONS: "", ...env },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      child.once("error", reject);
      child.once("close", (code) => {
        const last = stderr.trim().split("\n").at(-1) ?? "";
        if (code !== 0) reject(new Error(`exit ${code}: ${stderr}`));
        else resolve({ spawnedPid: child.pid ?? -1, ...JSON.parse(last), stdout });
      });
    },
  );
}

describe("bin/streamgate.js", () => {
  it("re-executes itself in place with a small young generation and baseline-only WebAssembly", async () => {
    const run = await runBin();
    expect(run.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect(run.execArgv).toEqual(
      expect.arrayContaining(["--max-semi-space-size=1", "--liftoff-only"]),
    );
    expect(run.pid).toBe(run.spawnedPid);
  });

  it("leaves an operator's own young-generation size alone", async () => {
    const run = await runBin({ NODE_OPTIONS: "--max-semi-space-size=8" });
    expect(run.execArgv).not.toContain("--max-semi-space-size=1");
    expect(run.execArgv).toContain("--liftoff-only");
  });
});
