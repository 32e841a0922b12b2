/**
 * How much src/core adds on top of JSON.parse for a real, large product file: the 2.5 MB
 * cloud-images fixture, parsed, validated and flattened N times, each step timed against
 * baselines measured in the same run. Prints numbers only; asserts nothing.
 *
 *   node scripts/bench/core-parse.ts [iterations=50]
 */

import { readFileSync } from "node:fs";
import {
  flattenProducts,
  parseJsonDocument,
  parseProducts,
  renderProducts,
} from "../../src/core/index.ts";

const FIXTURE = new URL(
  "../../test/fixtures/cloud-images-com.ubuntu.cloud-released-download.sjson",
  import.meta.url,
);
const HEADER = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n";
const FOOTER = "-----BEGIN PGP SIGNATURE-----";
const WARMUP = 5;

const iterations = Number(process.argv[2] ?? 50);
if (!Number.isInteger(iterations) || iterations < 1) {
  console.error(`Expected \`iterations\` to be an integer from 1 and up, got ${process.argv[2]}`);
  process.exit(2);
}

const signed = readFileSync(FIXTURE, "utf8");
const text = signed.slice(HEADER.length, signed.indexOf(FOOTER));
const parsed = parseProducts(parseJsonDocument(text));

// Results feed a sink so the engine cannot drop the work as unused.
let sink = 0;

interface Row {
  name: string;
  run: () => unknown;
  /** Name of the row this one is compared with; baselines compare with nothing. */
  against?: string;
}

const PARSE = "baseline: JSON.parse";
const STRINGIFY = "baseline: JSON.stringify(doc, null, 1)";
const rows: Row[] = [
  { name: PARSE, run: () => JSON.parse(text) },
  { name: STRINGIFY, run: () => JSON.stringify(parsed, null, 1) },
  { name: "parseJsonDocument", run: () => parseJsonDocument(text), against: PARSE },
  { name: "validate only (parseProducts)", run: () => parseProducts(parsed), against: PARSE },
  { name: "flatten only (flattenProducts)", run: () => flattenProducts(parsed), against: PARSE },
  { name: "parse + validate", run: () => parseProducts(parseJsonDocument(text)), against: PARSE },
  {
    name: "parse + validate + flatten",
    run: () => flattenProducts(parseProducts(parseJsonDocument(text))),
    against: PARSE,
  },
  {
    name: "renderProducts (validate + render)",
    run: () => renderProducts(parsed),
    against: STRINGIFY,
  },
];

// Rows take turns, one run each per round, and report their median: JIT warm-up, GC
// pauses and a busy machine then hit every row alike instead of whichever ran first.
const samples = new Map<string, number[]>(rows.map((row) => [row.name, []]));
for (let round = -WARMUP; round < iterations; round++) {
  for (const row of rows) {
    const start = performance.now();
    if (row.run() !== undefined) sink++;
    const elapsed = performance.now() - start;
    if (round >= 0) samples.get(row.name)?.push(elapsed);
  }
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

const medians = new Map([...samples].map(([name, values]) => [name, median(values)]));
console.log(
  `fixture: ${(text.length / 1e6).toFixed(2)} MB, ${flattenProducts(parsed).length} items; median of ${iterations} interleaved runs after ${WARMUP} warm-up rounds`,
);
for (const row of rows) {
  const ms = medians.get(row.name) ?? Number.NaN;
  const baseline = row.against === undefined ? undefined : medians.get(row.against);
  const ratio =
    baseline === undefined ? "" : `  ×${(ms / baseline).toFixed(2)} ${row.against?.slice(10)}`;
  console.log(`${row.name.padEnd(42)}${ms.toFixed(2).padStart(8)} ms/iteration${ratio}`);
}
if (sink === 0) console.log("(no results)");
