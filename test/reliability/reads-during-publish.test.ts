/**
 * 64 clients walk a real `streamgate serve` — index → product files → tarballs, the way
 * Juju and cloud-init read it, with conditional and ranged requests mixed in — while
 * `streamgate sync agents` children publish new generations (the upstream changes between
 * syncs, and one generation switches to exact mode and back). Every answer must be
 * 200/206/304, and no client may ever see an index naming a product file that 404s or a
 * product file naming a tarball that 404s or differs from its item.
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeUpstream, type UpstreamFixture } from "../../scripts/make-upstream.ts";
import {
  flattenProducts,
  parseIndex,
  parseJsonDocument,
  parseProducts,
} from "../../src/core/index.ts";
import { fixtureKey } from "../sync/support.ts";
import { runStreamgate, startServe } from "./children.ts";
import { reportFigures } from "./figures.ts";
import { createPrng, type Prng } from "./prng.ts";
import { type SuiteContext, suiteContext, workDir } from "./suite-context.ts";

const CLIENTS = 64;
/** Bounds each client even if the syncs never finished. */
const MAX_ITERATIONS = 300;
const MIN_ITERATIONS = 2;
const ARCHES = ["amd64", "arm64"];
/**
 * A fixed size makes a tarball's bytes depend on its path only, as upstream's do. (The
 * fixture's default sizes depend on a tarball's rank, so changing the version list would
 * re-roll tarballs in place — a case the sync can only narrow to a short window before the
 * switch, see `replacesServed` in src/sync/plan.ts, and not what this case measures.)
 */
const TARBALL_SIZE = 16 * 1024;
const ALLOWED = new Set([200, 206, 304]);

interface Generation {
  versions: string[];
  args: string[];
}

const FILTERED = ["--min-version", "3.4", "--keep", "9", "--arch", ARCHES.join(",")];
const FIRST = ["3.5.4", "3.5.5", "3.6.0"];
/** Published while the clients read: added versions, exact mode and back, removed ones. */
const GENERATIONS: Generation[] = [
  { versions: ["3.5.4", "3.5.5", "3.6.0", "3.6.9"], args: FILTERED },
  { versions: ["3.5.4", "3.5.5", "3.6.0", "3.6.9"], args: ["--mode", "exact"] },
  { versions: ["3.4.6", "3.5.5", "3.6.0", "3.6.9"], args: FILTERED },
  { versions: ["3.4.6", "3.5.5", "3.6.9"], args: ["--min-version", "3.4", "--keep", "9"] },
];

interface Tally {
  requests: number;
  byStatus: Map<number, number>;
  failures: string[];
  inconsistent: string[];
  iterations: number;
  indexes: Set<string>;
  tarballBytesChecked: number;
}

async function request(
  tally: Tally,
  url: string,
  init: RequestInit = {},
): Promise<{ status: number; headers: Headers; bytes: Uint8Array }> {
  const response = await fetch(url, init);
  const bytes = new Uint8Array(await response.arrayBuffer());
  tally.requests++;
  tally.byStatus.set(response.status, (tally.byStatus.get(response.status) ?? 0) + 1);
  if (!ALLOWED.has(response.status)) {
    tally.failures.push(`${init.method ?? "GET"} ${url}: HTTP ${response.status}`);
  }
  return { status: response.status, headers: response.headers, bytes };
}

const decoder = new TextDecoder();

/** One client: walks the tree until told to stop (at least MIN_ITERATIONS times). */
async function client(
  agentsUrl: string,
  tally: Tally,
  prng: Prng,
  stopped: () => boolean,
): Promise<void> {
  let etag: string | null = null;
  let cached = "";
  for (let round = 0; round < MAX_ITERATIONS; round++) {
    if (round >= MIN_ITERATIONS && stopped()) return;
    tally.iterations++;
    const conditional = etag !== null && prng.next() < 0.3;
    const index = await request(tally, `${agentsUrl}/streams/v1/index2.json`, {
      headers: conditional && etag !== null ? { "if-none-match": etag } : {},
    });
    if (index.status === 200) {
      cached = decoder.decode(index.bytes);
      etag = index.headers.get("etag");
    } else if (index.status !== 304) continue;
    tally.indexes.add(createHash("sha256").update(cached).digest("hex"));
    for (const entry of Object.values(parseIndex(parseJsonDocument(cached)).index)) {
      const product = await request(tally, `${agentsUrl}/${entry.path}`);
      if (product.status !== 200) {
        tally.inconsistent.push(`the index names ${entry.path}, which answered ${product.status}`);
        continue;
      }
      const items = flattenProducts(
        parseProducts(parseJsonDocument(decoder.decode(product.bytes))),
      );
      const tarballs = new Map(items.map(({ fields }) => [fields.path ?? "", fields]));
      for (const [path, fields] of tarballs) {
        const head = await request(tally, `${agentsUrl}/${path}`, { method: "HEAD" });
        if (head.status !== 200 || Number(head.headers.get("content-length")) !== fields.size) {
          tally.inconsistent.push(
            `${entry.path} names ${path} (${fields.size} bytes): HEAD ${head.status}, ${head.headers.get("content-length")} bytes`,
          );
        }
      }
      const [path, fields] = prng.pick([...tarballs]);
      if (prng.next() < 0.5) {
        const whole = await request(tally, `${agentsUrl}/${path}`);
        const sha256 = createHash("sha256").update(whole.bytes).digest("hex");
        tally.tarballBytesChecked += whole.bytes.byteLength;
        if (whole.status !== 200 || sha256 !== fields.sha256) {
          tally.inconsistent.push(
            `${entry.path} names ${path}: GET ${whole.status}, sha256 ${sha256}`,
          );
        }
      } else {
        const ranged = await request(tally, `${agentsUrl}/${path}`, {
          headers: { range: "bytes=0-99" },
        });
        if (
          ranged.status !== 206 ||
          ranged.headers.get("content-range") !== `bytes 0-99/${fields.size}`
        ) {
          tally.inconsistent.push(
            `${entry.path} names ${path}: Range GET ${ranged.status} ${ranged.headers.get("content-range")}`,
          );
        }
      }
    }
  }
}

async function writeFixture(dir: string, versions: string[]): Promise<UpstreamFixture> {
  return makeUpstream({
    out: join(dir, "upstream", "juju", "tools"),
    signingKey: await fixtureKey(),
    versions,
    arches: ARCHES,
    tarballSize: TARBALL_SIZE,
  });
}

describe("reads during publish", () => {
  it("64 clients see only 200/206/304 and consistent trees while 4 generations are published", async () => {
    const context: SuiteContext = suiteContext();
    const prng = createPrng(context.seed + 3);
    const dir = join(workDir(context), "reads");
    await mkdir(dir, { recursive: true });
    const root = join(dir, "store");
    let fixture = await writeFixture(dir, FIRST);
    const keyFile = join(dir, "upstream-key.asc");
    await writeFile(keyFile, fixture.publicKey);
    await writeFile(join(dir, "streamgate.yaml"), `store: file:${root}\n`);
    const sync = (args: string[], label: string) =>
      runStreamgate(
        context,
        [
          "sync",
          "agents",
          "--upstream",
          fixture.url,
          "--upstream-key",
          keyFile,
          "--store",
          `file:${root}`,
          "--json",
          ...args,
        ],
        { label, cwd: dir },
      );
    const first = await sync(FILTERED, "reads-sync-1");
    expect(first.code, first.stderr).toBe(0);

    const served = await startServe(context, ["--config", join(dir, "streamgate.yaml")], {
      label: "reads-serve",
      cwd: dir,
    });
    const tally: Tally = {
      requests: 0,
      byStatus: new Map(),
      failures: [],
      inconsistent: [],
      iterations: 0,
      indexes: new Set(),
      tarballBytesChecked: 0,
    };
    let publishing = true;
    const published: number[] = [];
    try {
      const agentsUrl = `${served.url}/juju/tools`;
      const clients = Array.from({ length: CLIENTS }, (_, index) =>
        client(agentsUrl, tally, createPrng(prng.int(1, 2 ** 30) + index), () => !publishing),
      );
      for (const [index, generation] of GENERATIONS.entries()) {
        fixture = await writeFixture(dir, generation.versions);
        const result = await sync(generation.args, `reads-sync-${index + 2}`);
        expect(result.code, result.stderr).toBe(0);
        const report = JSON.parse(result.stdout);
        if (report.outcome === "published") published.push(report.generation);
      }
      publishing = false;
      await Promise.all(clients);
    } finally {
      publishing = false;
      const stopped = await served.stop();
      expect(stopped.code).toBe(0);
    }

    const statuses = [...tally.byStatus]
      .sort(([a], [b]) => a - b)
      .map(([status, n]) => `${n}×${status}`)
      .join(", ");
    reportFigures(
      "reads-during-publish",
      `${CLIENTS} clients, ${tally.iterations} tree walks, ${tally.requests} requests (${statuses}), ${(tally.tarballBytesChecked / 1e6).toFixed(1)} MB of tarballs hashed, ${published.length} generations published during the reads (${published.join(", ")}), ${tally.indexes.size} distinct indexes seen, ${tally.failures.length} responses other than 200/206/304, ${tally.inconsistent.length} inconsistent views`,
    );
    expect(tally.failures).toEqual([]);
    expect(tally.inconsistent).toEqual([]);
    expect(published.length).toBeGreaterThanOrEqual(3);
    // The reads straddled the switches: clients saw several generations' indexes.
    expect(tally.indexes.size).toBeGreaterThanOrEqual(3);
    expect(tally.byStatus.get(304) ?? 0).toBeGreaterThan(0);
    expect(tally.byStatus.get(206) ?? 0).toBeGreaterThan(0);
  });
});
