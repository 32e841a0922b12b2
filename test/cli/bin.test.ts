/**
 * bin/streamgate.js runs the CLI under bin/node-flags.js, replacing a process started
 * without them by one that has them: the same pid, so supervisors and `kill` still reach it.
 */
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.ts";

// Preloaded into the child: at exit, says which pid it was and what flags it ran under.
const REPORT = `data:text/javascript,process.on("exit",()=>process.stderr.write("\\n"+JSON.stringify({pid:process.pid,execArgv:process.execArgv})+"\\n"))`;

async function runBin(env: NodeJS.ProcessEnv = {}) {
  const result = await runCli(["--version"], {
    nodeArgs: ["--import", REPORT],
    env: { NODE_OPTIONS: "", ...env },
  });
  expect(result.code, result.stderr).toBe(0);
  const reported = JSON.parse(result.stderr.trim().split("\n").at(-1) ?? "{}") as {
    pid: number;
    execArgv: string[];
  };
  return { ...reported, spawnedPid: result.pid, stdout: result.stdout };
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
