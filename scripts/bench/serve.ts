/**
 * Serving throughput of streamgate against nginx, on loopback, in one run: the same tree
 * served by (a) nginx with infra/nginx/streamgate.conf (the baseline), (b) the Node server
 * (app + fs store + @hono/node-server, in its own process) and (c) the Worker bundle in
 * workerd over Miniflare's local R2. wrk drives each with the same connections for a
 * bounded time. Prints a table and writes bench-results/serve.json.
 *
 *   node scripts/bench/serve.ts [--duration SECONDS=6] [--connections 32] [--threads 1]
 *                               [--servers nginx,node,workerd]
 *
 * Every server runs one event loop (nginx: one worker process) so the ratios compare
 * implementations, not core counts. The workerd figures measure the local R2 simulator
 * as much as the Worker: they say whether the Worker adds cost, not what R2 does.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { get } from "node:http";
import { availableParallelism, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { nodeFlags } from "../../bin/node-flags.js";
import { cpuSeconds } from "./serve-cpu.ts";
import { type RunningNginx, startNginx } from "./serve-nginx.ts";
import {
  buildBenchObjects,
  PRODUCT_JSON_KEY,
  SMALL_JSON_KEY,
  TARBALL_KEY,
  writeBenchTree,
} from "./serve-tree.ts";
import { bundleWorker, type RunningWorker, startWorker } from "./serve-workerd.ts";
import { ensureTools, runWrk, type WrkResult } from "./serve-wrk.ts";

const REPO = resolve(import.meta.dirname, "../..");
const RESULTS = join(REPO, "bench-results/serve.json");
const WARMUP_SECONDS = 1;

type ServerName = "nginx" | "node" | "workerd";
const ALL_SERVERS: readonly ServerName[] = ["nginx", "node", "workerd"];

interface BenchCase {
  name: string;
  key: string;
  headers: Record<string, string>;
  /** The figure the case is about; both are recorded. */
  metric: "req/s" | "MB/s";
  contentEncoding: "gzip" | undefined;
}

const CASES: readonly BenchCase[] = [
  {
    name: "small JSON (index2.json)",
    key: SMALL_JSON_KEY,
    headers: { "Accept-Encoding": "identity" },
    metric: "req/s",
    contentEncoding: undefined,
  },
  {
    name: "2.5 MB product JSON, identity",
    key: PRODUCT_JSON_KEY,
    headers: { "Accept-Encoding": "identity" },
    metric: "MB/s",
    contentEncoding: undefined,
  },
  {
    name: "2.5 MB product JSON, gzip",
    key: PRODUCT_JSON_KEY,
    headers: { "Accept-Encoding": "gzip" },
    metric: "req/s",
    contentEncoding: "gzip",
  },
  {
    name: "16 MiB tarball",
    key: TARBALL_KEY,
    headers: { "Accept-Encoding": "gzip" },
    metric: "MB/s",
    contentEncoding: undefined,
  },
];

interface Settings {
  durationSeconds: number;
  connections: number;
  threads: number;
  servers: ServerName[];
}

function parseArgs(argv: readonly string[]): Settings {
  const settings: Settings = {
    durationSeconds: 6,
    connections: 32,
    threads: 1,
    servers: [...ALL_SERVERS],
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value = ""] = [argv[i], argv[i + 1]];
    const count = Number(value);
    const positive = Number.isInteger(count) && count > 0;
    if (flag === "--duration" && positive) settings.durationSeconds = count;
    else if (flag === "--connections" && positive) settings.connections = count;
    else if (flag === "--threads" && positive) settings.threads = count;
    else if (flag === "--servers") {
      const names = value.split(",");
      const unknown = names.filter((name) => !ALL_SERVERS.includes(name as ServerName));
      if (unknown.length > 0 || !names.includes("nginx")) {
        usage(`\`--servers\` takes nginx (required: the baseline), node, workerd`);
      }
      settings.servers = names as ServerName[];
    } else usage(`unknown or invalid option ${flag} ${value}`);
  }
  return settings;
}

function usage(problem: string): never {
  console.error(
    `${problem}\nusage: node scripts/bench/serve.ts [--duration SECONDS] [--connections N] [--threads N] [--servers nginx,node,workerd]`,
  );
  process.exit(2);
}

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

interface RawAnswer {
  status: number;
  contentEncoding: string | undefined;
}

/** One request with the case's headers, body discarded: is this server answering right? */
function probe(url: string, headers: Record<string, string>): Promise<RawAnswer> {
  return new Promise((done, fail) => {
    get(url, { headers }, (response) => {
      response.resume();
      response.on("end", () =>
        done({
          status: response.statusCode ?? 0,
          contentEncoding: response.headers["content-encoding"],
        }),
      );
      response.on("error", fail);
    }).on("error", fail);
  });
}

interface RunningServer {
  url: string;
  pids(): number[];
  stop(): Promise<void>;
}

async function startNodeServer(root: string): Promise<RunningServer> {
  const child: ChildProcess = spawn(
    process.execPath,
    // The flags `streamgate serve` runs under (bin/node-flags.js).
    [...nodeFlags([], undefined), join(import.meta.dirname, "serve-node-server.ts"), root],
    { stdio: ["ignore", "pipe", "inherit"] },
  );
  const url = await new Promise<string>((done, fail) => {
    let output = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening (\S+)/.exec(output);
      if (match?.[1] !== undefined) done(match[1]);
    });
    child.once("exit", (code) =>
      fail(new Error(`[streamgate] [bench] Node server exited (${code})`)),
    );
  });
  return {
    url,
    pids: () => (child.pid === undefined ? [] : [child.pid]),
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((done) => child.once("exit", done));
      child.kill("SIGTERM");
      await exited;
    },
  };
}

interface Row {
  case: string;
  server: ServerName;
  metric: BenchCase["metric"];
  requestsPerSecond: number;
  megabytesPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  errors: number;
  /** Server CPU time (all its processes and threads) per request, in microseconds. */
  cpuMicrosecondsPerRequest: number;
  /** The case's metric divided by nginx's. */
  ratioVsNginx: number;
}

function figure(result: WrkResult, metric: BenchCase["metric"]): number {
  return metric === "req/s" ? result.requestsPerSecond : result.megabytesPerSecond;
}

function printTable(rows: readonly Row[]): void {
  const header = `${"case".padEnd(32)}${"server".padEnd(9)}${"req/s".padStart(10)}${"MB/s".padStart(10)}${"p50 ms".padStart(9)}${"p99 ms".padStart(9)}${"CPU µs/req".padStart(12)}${"vs nginx".padStart(16)}`;
  console.log(header);
  console.log("-".repeat(header.length));
  for (const row of rows) {
    console.log(
      `${row.case.padEnd(32)}${row.server.padEnd(9)}${row.requestsPerSecond.toFixed(0).padStart(10)}${row.megabytesPerSecond.toFixed(0).padStart(10)}${row.p50Ms.toFixed(1).padStart(9)}${row.p99Ms.toFixed(1).padStart(9)}${row.cpuMicrosecondsPerRequest.toFixed(0).padStart(12)}${`${row.ratioVsNginx.toFixed(2)}× ${row.metric}`.padStart(16)}${row.errors > 0 ? `  (${row.errors} errors)` : ""}`,
    );
  }
}

async function main(): Promise<void> {
  const settings = parseArgs(process.argv.slice(2));
  ensureTools(["wrk", "nginx"], log);
  const work = await mkdtemp(join(tmpdir(), "streamgate-bench-serve-"));
  const stops: (() => Promise<void>)[] = [];
  try {
    const root = join(work, "tree");
    const objects = buildBenchObjects();
    await writeBenchTree(root, objects);
    log(`tree: ${objects.map((o) => `${o.key} (${o.body.byteLength} B)`).join(", ")}`);

    const servers = new Map<ServerName, Pick<RunningServer, "url" | "pids">>();
    const nginx: RunningNginx = await startNginx({ root, workDir: join(work, "nginx") });
    stops.push(nginx.stop);
    servers.set("nginx", nginx);
    if (settings.servers.includes("node")) {
      const node = await startNodeServer(root);
      stops.push(node.stop);
      servers.set("node", node);
    }
    let bundle: { bytes: number; gzipBytes: number } | undefined;
    if (settings.servers.includes("workerd")) {
      const built = await bundleWorker(join(work, "worker-bundle"));
      bundle = { bytes: built.bytes, gzipBytes: built.gzipBytes };
      log(`worker bundle: ${(built.bytes / 1024).toFixed(0)} KiB`);
      const worker: RunningWorker = await startWorker(built, objects);
      stops.push(worker.stop);
      servers.set("workerd", worker);
    }

    const wrkDir = join(work, "wrk");
    await mkdir(wrkDir);
    const rows: Row[] = [];
    for (const benchCase of CASES) {
      let baseline: number | undefined;
      for (const server of settings.servers) {
        const running = servers.get(server);
        if (running === undefined) throw new Error(`[streamgate] [bench] ${server} did not start`);
        const url = `${running.url}/${benchCase.key}`;
        const answer = await probe(url, benchCase.headers);
        if (answer.status !== 200 || answer.contentEncoding !== benchCase.contentEncoding) {
          throw new Error(
            `[streamgate] [bench] ${server} answered ${benchCase.name} with ${answer.status}, Content-Encoding ${answer.contentEncoding ?? "none"}`,
          );
        }
        const wrk = {
          url,
          connections: settings.connections,
          threads: settings.threads,
          headers: benchCase.headers,
          workDir: wrkDir,
        };
        await runWrk({ ...wrk, durationSeconds: WARMUP_SECONDS });
        const cpuBefore = cpuSeconds(running.pids());
        const result = await runWrk({ ...wrk, durationSeconds: settings.durationSeconds });
        const cpu = cpuSeconds(running.pids()) - cpuBefore;
        const value = figure(result, benchCase.metric);
        if (server === "nginx") baseline = value;
        const row: Row = {
          case: benchCase.name,
          server,
          metric: benchCase.metric,
          requestsPerSecond: result.requestsPerSecond,
          megabytesPerSecond: result.megabytesPerSecond,
          p50Ms: result.p50Ms,
          p99Ms: result.p99Ms,
          requests: result.requests,
          errors: result.errors,
          cpuMicrosecondsPerRequest:
            result.requests > 0 ? (cpu * 1e6) / result.requests : Number.NaN,
          ratioVsNginx: baseline === undefined ? Number.NaN : value / baseline,
        };
        rows.push(row);
        log(
          `${benchCase.name} · ${server}: ${row.requestsPerSecond.toFixed(0)} req/s, ${row.megabytesPerSecond.toFixed(0)} MB/s`,
        );
      }
    }

    console.log(
      `\n${settings.connections} connections, ${settings.threads} wrk thread(s), ${settings.durationSeconds} s per case after ${WARMUP_SECONDS} s warm-up, ${availableParallelism()} CPUs, Node ${process.version}; MB = 10^6 bytes incl. headers\n`,
    );
    printTable(rows);
    console.log(`
Notes: nginx gzips on every request (gzip_comp_level 6; the fs store writes no .gz files
for gzip_static), the app keeps gzip output per etag. workerd runs over Miniflare's local
R2 simulator; like Cloudflare's edge it hands the Worker "Accept-Encoding: gzip" whatever
the client sent and decodes for identity clients, so its identity JSON rows include that.`);
    if (bundle !== undefined) {
      console.log(
        `\nWorker bundle (wrangler deploy --dry-run): ${bundle.bytes} bytes, ${bundle.gzipBytes} gzipped`,
      );
    }
    await mkdir(join(REPO, "bench-results"), { recursive: true });
    const document = {
      date: new Date().toISOString(),
      node: process.version,
      cpus: availableParallelism(),
      settings: { ...settings, warmupSeconds: WARMUP_SECONDS },
      workerBundle: bundle,
      rows,
    };
    await writeFile(RESULTS, `${JSON.stringify(document, null, 2)}\n`);
    console.log(`\nwrote ${RESULTS}`);
  } finally {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
    await rm(work, { recursive: true, force: true });
  }
}

await main();
