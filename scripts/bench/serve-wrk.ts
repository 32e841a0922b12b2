/**
 * The load generator of `npm run bench:serve`: Debian's `wrk`, driven over loopback, its
 * totals read from a Lua `done` hook as JSON rather than scraped from its human output.
 */
import { execFile, spawnSync } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { findNginx } from "./serve-nginx.ts";

const run = promisify(execFile);
const MARK = "WRK_SUMMARY ";

const SUMMARY_SCRIPT = `done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('${MARK}{"requests":%d,"bytes":%d,"durationUs":%d,"connect":%d,"read":%d,"write":%d,"status":%d,"timeout":%d,"p50Us":%.0f,"p99Us":%.0f}\\n',
    summary.requests, summary.bytes, summary.duration, e.connect, e.read, e.write, e.status,
    e.timeout, latency:percentile(50), latency:percentile(99)))
end
`;

export interface WrkOptions {
  url: string;
  connections: number;
  threads: number;
  durationSeconds: number;
  headers: Record<string, string>;
  /** Folder for the Lua hook. */
  workDir: string;
}

export interface WrkResult {
  requests: number;
  /** Response bytes read, headers included. */
  bytes: number;
  seconds: number;
  requestsPerSecond: number;
  /** 10^6 bytes a second. */
  megabytesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Socket errors, timeouts and non-2xx/3xx answers. */
  errors: number;
}

function hasCommand(name: string): boolean {
  if (name === "nginx") return findNginx() !== undefined;
  return spawnSync("sh", ["-c", `command -v ${name}`], { stdio: "ignore" }).status === 0;
}

/**
 * Installs nginx and wrk from Debian when missing (as root or with sudo), saying so; fails
 * with the command to run when that is impossible.
 */
export function ensureTools(tools: readonly string[], log: (line: string) => void): void {
  const missing = tools.filter((tool) => !hasCommand(tool));
  if (missing.length === 0) return;
  const sudo = process.getuid?.() === 0 ? [] : ["sudo", "-n"];
  log(
    `bench:serve: ${missing.join(", ")} missing, installing with apt-get install ${missing.join(" ")}`,
  );
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  const apt = (args: string[]) => {
    const [command = "apt-get", ...rest] = [...sudo, "apt-get", ...args];
    return spawnSync(command, rest, { stdio: ["ignore", "ignore", "inherit"], env }).status === 0;
  };
  const installed =
    apt(["install", "-y", "-qq", "--no-install-recommends", ...missing]) ||
    (apt(["update", "-qq"]) &&
      apt(["install", "-y", "-qq", "--no-install-recommends", ...missing]));
  const still = tools.filter((tool) => !hasCommand(tool));
  if (!installed || still.length > 0) {
    throw new Error(
      `[streamgate] [bench] needs ${still.join(" and ")} (Debian packages): apt-get install ${still.join(" ")}`,
    );
  }
}

export async function runWrk(options: WrkOptions): Promise<WrkResult> {
  const script = join(options.workDir, "summary.lua");
  await writeFile(script, SUMMARY_SCRIPT);
  const args = [
    `-t${options.threads}`,
    `-c${options.connections}`,
    `-d${options.durationSeconds}s`,
    "--timeout",
    "30s",
    "-s",
    script,
  ];
  for (const [name, value] of Object.entries(options.headers)) args.push("-H", `${name}: ${value}`);
  args.push(options.url);
  const { stdout } = await run("wrk", args, { maxBuffer: 1024 * 1024 });
  const line = stdout.split("\n").find((candidate) => candidate.startsWith(MARK));
  if (line === undefined)
    throw new Error(`[streamgate] [bench] wrk printed no summary:\n${stdout}`);
  const raw = JSON.parse(line.slice(MARK.length)) as Record<string, number>;
  const value = (name: string) => raw[name] ?? 0;
  const seconds = value("durationUs") / 1e6;
  return {
    requests: value("requests"),
    bytes: value("bytes"),
    seconds,
    requestsPerSecond: value("requests") / seconds,
    megabytesPerSecond: value("bytes") / 1e6 / seconds,
    p50Ms: value("p50Us") / 1000,
    p99Ms: value("p99Us") / 1000,
    errors: value("connect") + value("read") + value("write") + value("status") + value("timeout"),
  };
}
