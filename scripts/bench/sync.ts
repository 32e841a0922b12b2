/**
 * `npm run bench:sync`: `streamgate sync agents` against plain parallel copies of the same
 * tarballs, all from the same local nginx upstream in the same run, 8 downloads at once
 * (the sync's default concurrency). Target: ≤ 1.15× the plain copy's time, peak RSS
 * < 150 MB (read as MiB, as `ps` and `top` count). Three baselines, each adding one thing
 * the sync must do for every byte:
 *
 * - plain: `curl -o`, nothing else;
 * - hashed: each file then hashed by `openssl dgst -sha256` (SHA-NI where the CPU has it) —
 *   the sync checks every byte against the signed sha256 before keeping it;
 * - durable: hashed, then `sync` — the sync fsyncs every tarball before renaming it into
 *   place, so a crash never leaves a torn file behind a published index.
 *
 * The sync also reads and verifies the signed metadata and publishes atomically, and pays
 * Node's start-up; those are inside its time too. A fourth figure, `node:http` piping the
 * same downloads to files and nothing else (node-copy.ts), is the floor for any Node
 * program on the machine.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { nodeFlags } from "../../bin/node-flags.js";
import { makeUpstream } from "../make-upstream.ts";
import { startNginx } from "./serve-nginx.ts";
import { ensureTools } from "./serve-wrk.ts";

const MiB = 1024 * 1024;
const TARBALL_SIZE = 128 * MiB;
const ROUNDS = 3;
const CLI = join(import.meta.dirname, "../../bin/streamgate.js");
const NODE_COPY = join(import.meta.dirname, "node-copy.ts");
const RSS_PROBE = join(import.meta.dirname, "../../test/reliability/max-rss-probe.js");

const log = (line: string) => process.stderr.write(`${line}\n`);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

type Baseline = "plain" | "hashed" | "durable";

async function timeCurl(urls: string[], dest: string, baseline: Baseline): Promise<number> {
  await mkdir(dest, { recursive: true });
  const list = join(dest, "urls.txt");
  await writeFile(list, `${urls.join("\n")}\n`);
  const file = `"${dest}/$(basename "$0")"`;
  const hash = baseline === "plain" ? "" : ` && openssl dgst -sha256 ${file} >/dev/null`;
  const started = performance.now();
  const result = spawnSync(
    "sh",
    ["-c", `xargs -P 8 -n 1 sh -c 'curl -sSf -o ${file} "$0"${hash}' < "${list}"`],
    { stdio: "inherit" },
  );
  if (result.status !== 0) throw new Error(`the ${baseline} curl baseline failed`);
  if (baseline === "durable") {
    const names = urls.map((url) => join(dest, url.slice(url.lastIndexOf("/") + 1)));
    if (spawnSync("sync", names, { stdio: "inherit" }).status !== 0) throw new Error("sync failed");
  }
  const ms = performance.now() - started;
  await rm(dest, { recursive: true, force: true });
  return ms;
}

async function timeNodeCopy(urls: string[], dest: string): Promise<number> {
  await mkdir(dest, { recursive: true });
  const started = performance.now();
  const result = spawnSync(process.execPath, [NODE_COPY, dest, ...urls], { stdio: "inherit" });
  if (result.status !== 0) throw new Error("the node:http copy failed");
  const ms = performance.now() - started;
  await rm(dest, { recursive: true, force: true });
  return ms;
}

function timeSync(args: string[]): Promise<{ ms: number; maxRss: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    // Started with the bin's flags, so it runs as is: re-executing itself would close fd 3.
    const flags = nodeFlags([], undefined);
    const child = spawn(process.execPath, [...flags, "--import", RSS_PROBE, CLI, ...args], {
      stdio: ["ignore", "ignore", "inherit", "pipe"],
    });
    let probe = "";
    child.stdio[3]?.on("data", (chunk: Buffer) => {
      probe += chunk.toString();
    });
    child.once("error", reject);
    child.once("close", (code) => {
      const ms = performance.now() - started;
      if (code !== 0) reject(new Error(`streamgate sync agents exited with ${code}`));
      else resolve({ ms, maxRss: Number(/rss (\d+)/.exec(probe)?.[1] ?? Number.NaN) });
    });
  });
}

ensureTools(["nginx", "curl", "openssl"], log);
const work = await mkdtemp(join(tmpdir(), "streamgate-bench-sync-"));
try {
  log(`generating an upstream of 8 × ${TARBALL_SIZE / MiB} MiB tarballs in ${work}`);
  const fixture = await makeUpstream({
    out: join(work, "upstream/juju/tools"),
    versions: ["3.5.4", "3.5.5", "3.6.9", "3.6.12"],
    arches: ["amd64", "arm64"],
    tarballSize: TARBALL_SIZE,
  });
  const keyFile = join(work, "upstream-key.asc");
  await writeFile(keyFile, fixture.publicKey);
  const nginx = await startNginx({ root: join(work, "upstream"), workDir: join(work, "nginx") });
  try {
    const upstream = `${nginx.url}/juju/tools`;
    const released = fixture.tarballs.filter((tarball) => tarball.streams.includes("released"));
    const bytes = released.reduce((sum, tarball) => sum + tarball.size, 0);
    const urls = released.map((tarball) => `${upstream}/${tarball.path}`);
    const baselines: Record<Baseline, number[]> = { plain: [], hashed: [], durable: [] };
    const nodeCopyTimes: number[] = [];
    const syncTimes: number[] = [];
    const rss: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const baseline of Object.keys(baselines) as Baseline[]) {
        baselines[baseline].push(await timeCurl(urls, join(work, `curl-${round}`), baseline));
      }
      nodeCopyTimes.push(await timeNodeCopy(urls, join(work, `node-${round}`)));
      const run = await timeSync([
        "sync",
        "agents",
        "--upstream",
        upstream,
        "--upstream-key",
        keyFile,
        "--store",
        `file:${join(work, `store-${round}`)}`,
        "--min-version",
        "3.5",
        "--arch",
        "amd64,arm64",
        "--keep",
        "2",
        "--json",
      ]);
      syncTimes.push(run.ms);
      rss.push(run.maxRss);
      await rm(join(work, `store-${round}`), { recursive: true, force: true });
    }
    const syncMs = median(syncTimes);
    const ms = (baseline: Baseline) => median(baselines[baseline]);
    const ratio = (baseline: Baseline) => Number((syncMs / ms(baseline)).toFixed(2));
    const result = {
      tarballs: released.length,
      bytes,
      rounds: ROUNDS,
      syncMs: Math.round(syncMs),
      baselinesMs: {
        plain: Math.round(ms("plain")),
        hashed: Math.round(ms("hashed")),
        durable: Math.round(ms("durable")),
      },
      ratios: { plain: ratio("plain"), hashed: ratio("hashed"), durable: ratio("durable") },
      nodeCopyMs: Math.round(median(nodeCopyTimes)),
      peakRssMiB: Math.round(Math.max(...rss) / MiB),
      target: { ratioVsPlain: 1.15, peakRssMiB: 150 },
    };
    const { baselinesMs: base, ratios } = result;
    process.stdout.write(
      `sync agents ${(bytes / MiB / 1024).toFixed(2)} GiB in ${released.length} tarballs, median of ${ROUNDS}:\n` +
        `  curl ×8                         ${String(base.plain).padStart(6)} ms   streamgate ${ratios.plain}× (target ≤ 1.15×)\n` +
        `  curl ×8 + sha256                ${String(base.hashed).padStart(6)} ms   streamgate ${ratios.hashed}×\n` +
        `  curl ×8 + sha256 + fsync        ${String(base.durable).padStart(6)} ms   streamgate ${ratios.durable}×\n` +
        `  node:http copy, nothing else    ${String(result.nodeCopyMs).padStart(6)} ms   ${(result.nodeCopyMs / base.plain).toFixed(2)}× curl: the floor for Node here\n` +
        `  streamgate sync agents          ${String(result.syncMs).padStart(6)} ms   peak RSS ${result.peakRssMiB} MiB (target < 150)\n`,
    );
    await mkdir("bench-results", { recursive: true });
    await writeFile("bench-results/sync.json", `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await nginx.stop();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
