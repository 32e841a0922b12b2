import { spawn } from "node:child_process";
import { join } from "node:path";

export const CLI = join(import.meta.dirname, "../../bin/streamgate.js");

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** The pid the child was started with. */
  pid: number | undefined;
}

export interface RunCliOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Node options before the bin, e.g. `["--import", module]`. */
  nodeArgs?: readonly string[];
}

/** Runs the real `streamgate` bin in a child process, as an operator would. */
export function runCli(args: readonly string[], options: RunCliOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...(options.nodeArgs ?? []), CLI, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: { ...process.env, ...options.env },
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
    child.once("close", (code) => resolve({ code, stdout, stderr, pid: child.pid }));
  });
}
