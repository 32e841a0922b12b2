/**
 * `npm run bench:sync`: `streamgate sync agents` against a plain parallel copy of the same
 * tarballs, both from the same local nginx upstream in the same run. The baseline is
 * `curl` with 8 downloads at once (the sync's default concurrency) writing to disk; the
 * sync additionally verifies signatures, hashes every byte and publishes atomically.
 * Target: ≤ 1.15× the baseline's time, peak RSS < 150 MB.
 *
 * streamgate fsyncs every tarball before renaming it into place (a crash must never leave
 * a torn file behind a published index), which on a slow disk costs as much as the
 * download; a second baseline, curl followed by `sync` on the same files, measures the
 * copy with the same durability.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeUpstream } from "../make-upstream.ts";
import { startNginx } from "./serve-nginx.ts";
import { ensureTools } from "./serve-wrk.ts";

const MiB = 1024 * 1024;
const TARBALL_SIZE = 128 * MiB;
const ROUNDS = 3;
const CLI = join(import.meta.dirname, "../../bin/streamgate.js");
const RSS_PROBE = join(import.meta.dirname, "../../test/reliability/max-rss-probe.ts");

const log = (line: string) => process.stderr.write(`${line}\n`);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function timeCurl(urls: string[], dest: string, durable: boolean): Promise<number> {
  await mkdir(dest, { recursive: true });
  const list = join(dest, "urls.txt");
  await writeFile(list, `${urls.join("\n")}\n`);
  const started = performance.now();
  const result = spawnSync(
    "sh",
    ["-c", `xargs -P 8 -n 1 sh -c 'curl -sSf -o "${dest}/$(basename "$0")" "$0"' < "${list}"`],
    { stdio: "inherit" },
  );
  if (result.status !== 0) throw new Error("the curl baseline failed");
  if (durable) {
    const names = urls.map((url) => join(dest, url.slice(url.lastIndexOf("/") + 1)));
    if (spawnSync("sync", names, { stdio: "inherit" }).status !== 0) throw new Error("sync failed");
  }
  return performance.now() - started;
}

function timeSync(args: string[]): Promise<{ ms: number; maxRss: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, ["--import", RSS_PROBE, CLI, ...args], {
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

ensureTools(["nginx", "curl"], log);
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
    const curlTimes: number[] = [];
    const durableTimes: number[] = [];
    const syncTimes: number[] = [];
    const rss: number[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      curlTimes.push(await timeCurl(urls, join(work, `curl-${round}`), false));
      await rm(join(work, `curl-${round}`), { recursive: true, force: true });
      durableTimes.push(await timeCurl(urls, join(work, `curl-${round}`), true));
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
      await rm(join(work, `curl-${round}`), { recursive: true, force: true });
      await rm(join(work, `store-${round}`), { recursive: true, force: true });
    }
    const curlMs = median(curlTimes);
    const syncMs = median(syncTimes);
    const durableMs = median(durableTimes);
    const result = {
      tarballs: released.length,
      bytes,
      curlMs: Math.round(curlMs),
      syncMs: Math.round(syncMs),
      ratio: Number((syncMs / curlMs).toFixed(2)),
      curlFsyncMs: Math.round(durableMs),
      ratioVsFsync: Number((syncMs / durableMs).toFixed(2)),
      peakRssMB: Math.round(Math.max(...rss) / MiB),
      target: { ratio: 1.15, peakRssMB: 150 },
    };
    process.stdout.write(
      `sync agents ${(bytes / MiB / 1024).toFixed(2)} GiB in ${released.length} tarballs: ` +
        `curl ×8 ${result.curlMs} ms, curl ×8 + fsync ${result.curlFsyncMs} ms, streamgate ` +
        `${result.syncMs} ms → ${result.ratio}× plain, ${result.ratioVsFsync}× durable ` +
        `(target ≤ 1.15×), peak RSS ${result.peakRssMB} MB (target < 150)\n`,
    );
    await mkdir("bench-results", { recursive: true });
    await writeFile("bench-results/sync.json", `${JSON.stringify(result, null, 2)}\n`);
  } finally {
    await nginx.stop();
  }
} finally {
  await rm(work, { recursive: true, force: true });
}
