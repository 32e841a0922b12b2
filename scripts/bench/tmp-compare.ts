import { spawn } from "node:child_process";
import { join } from "node:path";
import { startNginx } from "./serve-nginx.ts";
import { runWrk } from "./serve-wrk.ts";
import { buildBenchObjects, PRODUCT_JSON_KEY, SMALL_JSON_KEY, TARBALL_KEY, writeBenchTree } from "./serve-tree.ts";
import { mkdtemp, mkdir } from "node:fs/promises";
import { tmpdir } from "node:os";
const work = await mkdtemp(join(tmpdir(), "cmp-"));
const root = join(work, "tree");
await writeBenchTree(root, buildBenchObjects());
const nginx = await startNginx({ root, workDir: join(work, "nginx") });
function node(entry: string): Promise<{ url: string; kill: () => void }> {
  const child = spawn(process.execPath, [entry, root], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((done) => child.stdout.on("data", (d: Buffer) => { const m = /listening (\S+)/.exec(d.toString()); if (m) done({ url: m[1]!, kill: () => child.kill() }); }));
}
const before = await node("/tmp/before/scripts/bench/serve-node-server.ts");
const after = await node(join(import.meta.dirname, "serve-node-server.ts"));
const sync = await node("/tmp/aftersync/scripts/bench/serve-node-server.ts");
const servers = { nginx: nginx.url, before: before.url, after: after.url, coalesce: sync.url };
const only = process.argv[3];
const allCases = [
  ["small", SMALL_JSON_KEY, { "Accept-Encoding": "identity" }, "rps"],
  ["product identity", PRODUCT_JSON_KEY, { "Accept-Encoding": "identity" }, "mbps"],
  ["product gzip", PRODUCT_JSON_KEY, { "Accept-Encoding": "gzip" }, "rps"],
  ["tarball", TARBALL_KEY, { "Accept-Encoding": "gzip" }, "mbps"],
] as const;
const cases = allCases.filter(([name]) => only === undefined || name === only);
const wd = join(work, "wrk"); await mkdir(wd);
const rounds = Number(process.argv[2] ?? 3);
const res: Record<string, number[]> = {};
for (let r = 0; r < rounds; r++) for (const [name, key, headers, metric] of cases) for (const [s, url] of Object.entries(servers)) {
  const x = await runWrk({ url: `${url}/${key}`, connections: 32, threads: 1, durationSeconds: 4, headers, workDir: wd });
  (res[`${name}|${s}`] ??= []).push(metric === "rps" ? x.requestsPerSecond : x.megabytesPerSecond);
}
const med = (v: number[]) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)]!;
for (const [name, , , metric] of cases) {
  const n = med(res[`${name}|nginx`]!);
  console.log(name.padEnd(18), metric, Object.keys(servers).map((s) => `${s}=${med(res[`${name}|${s}`]!).toFixed(0)} (${(med(res[`${name}|${s}`]!) / n).toFixed(2)}x)`).join("  "), " all:", JSON.stringify(Object.fromEntries(Object.keys(servers).map((s) => [s, res[`${name}|${s}`]!.map((v) => Math.round(v))]))));
}
before.kill(); after.kill(); sync.kill(); await nginx.stop();
