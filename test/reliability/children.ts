/**
 * @module
 * Real `streamgate` child processes for the reliability suite. Every child runs with the
 * suite's secrets in its environment, reports its peak RSS, and leaves its command line,
 * stdout, stderr and exit in the logs folder, which the secrets case greps at the end.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { appendFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { nodeFlags } from "../../bin/node-flags.js";
import { CLI } from "../cli/run-cli.ts";
import { logsDir, type SuiteContext } from "./suite-context.ts";

const PROBE = join(import.meta.dirname, "max-rss-probe.js");

export interface ChildResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Peak RSS in bytes as the child measured it; undefined when it was killed. */
  maxRss: number | undefined;
}

export interface StreamgateChild {
  readonly process: ChildProcess;
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  /** Called with each line the child writes on fd 3 (the kill-point hook, the RSS probe). */
  onLine(listener: (line: string) => void): void;
  readonly exited: Promise<ChildResult>;
  /** SIGKILL: no handler runs, nothing is flushed or released. */
  kill(): void;
}

export interface SpawnOptions {
  /** Names the log file. */
  label: string;
  cwd: string;
  env?: Record<string, string>;
  /** Modules loaded before the CLI (`--import`), e.g. the kill-point hook. */
  preload?: string[];
}

const INHERITED_SECRET = /^(?:STREAMGATE_|OS_|AWS_)/;
let sequence = 0;

/** The environment of every child: no outside STREAMGATE_/OS_/AWS_, the suite's secrets in. */
export function childEnv(
  context: SuiteContext,
  extra: Record<string, string> = {},
): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!INHERITED_SECRET.test(name) && name !== "NODE_OPTIONS") env[name] = value;
  }
  return {
    ...env,
    STREAMGATE_ADMIN_TOKEN: context.secrets.adminToken,
    STREAMGATE_SIGNING_KEY: context.secrets.signingKey,
    OS_PASSWORD: context.secrets.osPassword,
    AWS_ACCESS_KEY_ID: context.swift.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: context.swift.credentials.secretAccessKey,
    AWS_REGION: "us-east-1",
    ...extra,
  };
}

/** Writes `text` to the logs folder, for the secrets scan. */
export async function recordLog(context: SuiteContext, label: string, text: string) {
  sequence++;
  const name = `${label.replace(/[^\w.-]+/g, "-")}-${process.pid}-${sequence}.log`;
  await writeFile(join(logsDir(context), name), text);
}

/** Appends to one shared log of the current test file (error messages seen in-process). */
export async function appendLog(context: SuiteContext, label: string, text: string) {
  const name = `${label.replace(/[^\w.-]+/g, "-")}-${process.pid}.log`;
  await appendFile(join(logsDir(context), name), `${text}\n`);
}

export function spawnStreamgate(
  context: SuiteContext,
  args: readonly string[],
  options: SpawnOptions,
): StreamgateChild {
  const imports = [PROBE, ...(options.preload ?? [])].flatMap((file) => ["--import", file]);
  // Started with the bin's flags, so it runs as is: re-executing itself would close fd 3.
  const child = spawn(process.execPath, [...nodeFlags([], undefined), ...imports, CLI, ...args], {
    cwd: options.cwd,
    env: childEnv(context, options.env),
    stdio: ["ignore", "pipe", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  let maxRss: number | undefined;
  let pending = "";
  const listeners: ((line: string) => void)[] = [];
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const side = child.stdio[3];
  if (side && "setEncoding" in side) {
    side.setEncoding("utf8");
    side.on("data", (chunk: string) => {
      pending += chunk;
      for (let end = pending.indexOf("\n"); end !== -1; end = pending.indexOf("\n")) {
        const line = pending.slice(0, end);
        pending = pending.slice(end + 1);
        if (line.startsWith("rss ")) maxRss = Number(line.slice(4));
        for (const listener of listeners) listener(line);
      }
    });
  }
  const exited = new Promise<ChildResult>((resolve, reject) => {
    child.once("error", reject);
    child.once("close", (code, signal) => {
      const result = { code, signal, stdout, stderr, maxRss };
      const log = [
        `$ streamgate ${args.join(" ")}`,
        `--- exit ${code ?? signal}, peak RSS ${maxRss ?? "unknown"}`,
        "--- stdout",
        stdout,
        "--- stderr",
        stderr,
      ].join("\n");
      recordLog(context, options.label, log).then(
        () => resolve(result),
        () => resolve(result),
      );
    });
  });
  return {
    process: child,
    pid: child.pid ?? -1,
    stdout: () => stdout,
    stderr: () => stderr,
    onLine: (listener) => {
      listeners.push(listener);
    },
    exited,
    kill: () => {
      child.kill("SIGKILL");
    },
  };
}

/** Runs `streamgate ARGS` to the end. */
export function runStreamgate(
  context: SuiteContext,
  args: readonly string[],
  options: SpawnOptions,
): Promise<ChildResult> {
  return spawnStreamgate(context, args, options).exited;
}

export interface ServeChild {
  /** `http://127.0.0.1:PORT`. */
  url: string;
  child: StreamgateChild;
  /** SIGTERM, then the exit. */
  stop(): Promise<ChildResult>;
}

/** `streamgate serve --port 0 ARGS`, once it listens. */
export async function startServe(
  context: SuiteContext,
  args: readonly string[],
  options: SpawnOptions,
): Promise<ServeChild> {
  const child = spawnStreamgate(context, ["serve", "--port", "0", ...args], options);
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setInterval(() => {
      const match = / on (http:\/\/[^ ]+) /.exec(child.stderr());
      if (match?.[1]) {
        clearInterval(timer);
        resolve(match[1]);
      }
    }, 20);
    child.exited.then((result) => {
      clearInterval(timer);
      reject(new Error(`streamgate serve exited with ${result.code}: ${result.stderr}`));
    });
  });
  return {
    url,
    child,
    stop: async () => {
      child.process.kill("SIGTERM");
      return child.exited;
    },
  };
}
