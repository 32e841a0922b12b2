/**
 * Runs nginx with infra/nginx/streamgate.conf over a folder, on loopback, as a child
 * process: a generated main nginx.conf, the pid file, logs and temp folders all live in a
 * work folder of the caller's. Used by `npm run bench:serve` (the baseline) and by
 * test/system/nginx-config.test.ts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, constants } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { connect, createServer } from "node:net";
import { delimiter, join, resolve } from "node:path";
import { childrenOf } from "./serve-cpu.ts";

/** The server block operators install; the tests and the bench run this very file. */
export const SITE_CONFIG_PATH = resolve(import.meta.dirname, "../../infra/nginx/streamgate.conf");

/** Where Debian puts nginx; /usr/sbin is not on a normal user's PATH. */
const EXTRA_DIRS = ["/usr/sbin", "/usr/local/sbin", "/usr/local/nginx/sbin"];

const READY_TIMEOUT_MS = 10_000;

export interface NginxOptions {
  /** Folder served (the fs store root). */
  root: string;
  /** Folder for the generated config, pid, logs and temp files; created if missing. */
  workDir: string;
  /** Loopback port; default: a free one. */
  port?: number;
  /** nginx worker processes; default 1 (one event loop, like one Node process). */
  workerProcesses?: number;
}

export interface RunningNginx {
  /** `http://127.0.0.1:PORT` */
  url: string;
  /** Contents of the error log so far, for failure messages. */
  errorLog(): Promise<string>;
  /** The master and its workers, for CPU accounting. */
  pids(): number[];
  stop(): Promise<void>;
}

/** Absolute path of the nginx binary, or undefined when it is not installed. */
export function findNginx(): string | undefined {
  const dirs = [...(process.env.PATH ?? "").split(delimiter), ...EXTRA_DIRS];
  for (const dir of dirs) {
    if (dir === "") continue;
    const candidate = join(dir, "nginx");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** A loopback port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once("error", fail);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

function replaceOnce(text: string, pattern: RegExp, replacement: string): string {
  const matches = text.match(new RegExp(pattern.source, "gm"));
  if (matches?.length !== 1) {
    throw new Error(
      `[streamgate] [nginx] expected exactly one ${pattern} in ${SITE_CONFIG_PATH}, found ${matches?.length ?? 0}`,
    );
  }
  return text.replace(new RegExp(pattern.source, "m"), replacement);
}

/**
 * The shipped server block with only what an operator edits changed: `root`, and the
 * `listen` lines (loopback and one port instead of port 80 on every address).
 */
export function renderSiteConfig(text: string, root: string, port: number): string {
  let site = replaceOnce(text, /^(\s*)listen 80;$/, `$1listen 127.0.0.1:${port};`);
  site = replaceOnce(site, /^\s*listen \[::\]:80;\n/, "");
  return replaceOnce(site, /^(\s*)root \/srv\/streamgate;$/, `$1root "${root}";`);
}

function mainConfig(workDir: string, sitePath: string, workers: number): string {
  // As root, nginx would hand requests to `nobody`, who cannot enter a mkdtemp folder.
  const user = process.getuid?.() === 0 ? "user root;\n" : "";
  const temp = (name: string) => `${name}_temp_path "${join(workDir, `${name}-temp`)}";`;
  return `${user}daemon off;
worker_processes ${workers};
pid "${join(workDir, "nginx.pid")}";
error_log "${join(workDir, "error.log")}" warn;
events { worker_connections 1024; }
http {
  access_log off;
  ${temp("client_body")}
  ${temp("proxy")}
  ${temp("fastcgi")}
  ${temp("uwsgi")}
  ${temp("scgi")}
  include "${sitePath}";
}
`;
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      done(true);
    });
    socket.once("error", () => done(false));
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((done) => {
    if (child.exitCode !== null || child.signalCode !== null) done();
    else child.once("exit", () => done());
  });
}

/** Starts nginx and resolves once it accepts connections; fails with nginx's own words. */
export async function startNginx(options: NginxOptions): Promise<RunningNginx> {
  const binary = findNginx();
  if (binary === undefined) {
    throw new Error(
      "[streamgate] [nginx] nginx is not installed: run scripts/install-system-deps.sh (Debian package `nginx`)",
    );
  }
  const { workDir } = options;
  await mkdir(workDir, { recursive: true });
  const port = options.port ?? (await freePort());
  const sitePath = join(workDir, "streamgate.conf");
  const configPath = join(workDir, "nginx.conf");
  const errorLogPath = join(workDir, "error.log");
  await writeFile(
    sitePath,
    renderSiteConfig(await readFile(SITE_CONFIG_PATH, "utf8"), resolve(options.root), port),
  );
  await writeFile(configPath, mainConfig(workDir, sitePath, options.workerProcesses ?? 1));

  let stderr = "";
  const child = spawn(binary, ["-p", workDir, "-c", configPath], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const errorLog = () => readFile(errorLogPath, "utf8").catch(() => "");
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    // SIGTERM is nginx's fast shutdown: the master stops its workers, then itself.
    child.kill("SIGTERM");
    await exited(child);
  };

  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await canConnect(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(
        `[streamgate] [nginx] did not start on 127.0.0.1:${port}: ${stderr.trim() || (await errorLog()).trim() || `exit code ${child.exitCode}`}`,
      );
    }
    await new Promise((wait) => setTimeout(wait, 25));
  }
  const pids = () => (child.pid === undefined ? [] : [child.pid, ...childrenOf(child.pid)]);
  return { url: `http://127.0.0.1:${port}`, errorLog, pids, stop };
}
