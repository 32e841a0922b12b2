/**
 * Issue 5's memory figure for the fs store: a 256 MiB object streamed in and out by a
 * process started like streamgate (see test/support/run-rss-round-trip.ts).
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeRss, PEAK_RSS_BOUND, rssRoundTrip } from "../support/run-rss-round-trip.ts";

let root = "";

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "streamgate-fs-rss-"));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

it("streams 256 MiB through put and get in a streamgate process whose peak RSS stays below 150 MB", async () => {
  const rss = await rssRoundTrip(`file:${root}`, 256 * 1024 * 1024);
  console.log(`256 MiB round trip through the fs store: ${describeRss(rss)}`);
  expect(rss.peak).toBeLessThan(PEAK_RSS_BOUND);
}, 120_000);
