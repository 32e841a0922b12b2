/**
 * What a resync that has nothing to do costs: a signed fixture upstream of 1,000 agent
 * items (500 versions × amd64/arm64, file://), synced once into an fs store, then synced
 * again N times — each run takes the lock, reads and verifies the upstream, reads the
 * served tree, heads every tarball, plans, and releases the lock. Compared with the
 * floor of the same number of plain `store.head` calls, one by one and 32 at a time.
 * Prints numbers only; asserts nothing.
 *
 *   node scripts/bench/sync-noop.ts [iterations=10]
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pLimit from "p-limit";
import { parseConfig } from "../../src/config/parse-config.ts";
import { createFsStore } from "../../src/store/fs.ts";
import { runAgentsSync } from "../../src/sync/index.ts";
import { createFileTransport } from "../../src/upstream/file-transport.ts";
import { createUpstream } from "../../src/upstream/index.ts";
import { makeUpstream } from "../make-upstream.ts";

const iterations = Number(process.argv[2] ?? 10);
if (!Number.isInteger(iterations) || iterations < 1) {
  console.error(`Expected \`iterations\` to be an integer from 1 and up, got ${process.argv[2]}`);
  process.exit(2);
}

const MINORS = 10;
const PATCHES = 50;
// Full specs: a bare version string would pick up the default catalogue's streams.
const versions: { version: string; streams: string[] }[] = [];
for (let minor = 0; minor < MINORS; minor++) {
  for (let patch = 0; patch < PATCHES; patch++) {
    versions.push({ version: `3.${minor}.${patch}`, streams: ["released"] });
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}

async function time(run: () => Promise<unknown>): Promise<number[]> {
  await run();
  const samples: number[] = [];
  for (let i = 0; i < iterations; i++) {
    const start = performance.now();
    await run();
    samples.push(performance.now() - start);
  }
  return samples;
}

const dir = await mkdtemp(join(tmpdir(), "streamgate-bench-sync-"));
try {
  process.stderr.write(`writing a fixture upstream of ${versions.length * 2} tarballs…\n`);
  const fixture = await makeUpstream({
    out: join(dir, "upstream"),
    versions,
    arches: ["amd64", "arm64"],
  });
  const store = createFsStore({ root: join(dir, "store") });
  const upstream = createUpstream({
    base: fixture.url,
    transport: createFileTransport(),
    keys: fixture.publicKey,
  });
  const agents = parseConfig(
    {
      agents: {
        minVersion: "3.0",
        arches: ["amd64", "arm64"],
        keep: PATCHES,
        graceSeconds: 0,
      },
    },
    "bench",
  ).agents;
  if (agents === undefined) throw new Error("no agents configuration");
  const first = await runAgentsSync({ store, upstream, config: agents });
  const keys = first.plan.copies.map((copy) => `juju/tools/${copy.path}`);
  process.stderr.write(
    `first sync: ${first.outcome}, ${first.selected.items} items, ${first.transfer.copied} tarballs copied\n`,
  );

  let outcome = "";
  const noop = await time(async () => {
    const report = await runAgentsSync({ store, upstream, config: agents });
    outcome = report.outcome;
  });
  const sequential = await time(async () => {
    for (const key of keys) await store.head(key);
  });
  const limit = pLimit(32);
  const parallel = await time(() => Promise.all(keys.map((key) => limit(() => store.head(key)))));

  const rows = [
    { name: `no-op resync of ${first.selected.items} items (${outcome})`, ms: median(noop) },
    { name: `baseline: ${keys.length} store.head, one by one`, ms: median(sequential) },
    { name: `baseline: ${keys.length} store.head, 32 at a time`, ms: median(parallel) },
  ];
  const floor = rows[2]?.ms ?? 1;
  console.log(`median of ${iterations} runs (after one warm-up), fs store, file:// upstream`);
  for (const row of rows) {
    console.log(
      `${row.name.padEnd(52)} ${row.ms.toFixed(1).padStart(8)} ms  ${(row.ms / floor).toFixed(2)}×`,
    );
  }
} finally {
  await rm(dir, { recursive: true, force: true });
}
