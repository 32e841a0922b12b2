/**
 * The S3 adapter against OpenStack Swift's s3api, started on loopback by
 * scripts/start-swift.sh (which installs Debian's swift packages when missing). Swift
 * answers conditional PUTs with 501, so the probe reports no conditional writes and the
 * contract skips those cases; the Miniflare suite covers them. A Swift that cannot start
 * fails every test here.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { CreateBucketCommand, S3Client } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Store, type S3StoreOptions } from "../../src/store/s3.ts";
import { runStoreContract } from "../../src/store/store-contract.ts";
import { emptyStore, s3ExtraCases } from "../store/s3-extra-cases.ts";
import { describeRss, PEAK_RSS_BOUND, rssRoundTrip } from "../support/run-rss-round-trip.ts";
import { freeSwiftPorts } from "../support/swift-ports.ts";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "../..");
const BUCKET = "streamgate-contract";
const credentials = { accessKeyId: "test:tester", secretAccessKey: "testing" };

let state = "";
let endpoint = "";
let rawClient: S3Client | undefined;

function storeOptions(): S3StoreOptions {
  return { bucket: BUCKET, endpoint, region: "us-east-1", forcePathStyle: true, credentials };
}

function raw(): S3Client {
  rawClient ??= new S3Client({ ...storeOptions(), requestChecksumCalculation: "WHEN_REQUIRED" });
  return rawClient;
}

beforeAll(async () => {
  state = await mkdtemp(join(tmpdir(), "streamgate-swift-"));
  const started = Date.now();
  const { stdout } = await run("bash", [join(root, "scripts/start-swift.sh"), state], {
    env: { ...process.env, SWIFT_PORT: String(await freeSwiftPorts()) },
    timeout: 170_000,
  });
  endpoint = stdout.trim().split("\n").at(-1) ?? "";
  console.log(
    `Swift s3api at ${endpoint}, ready in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  await raw().send(new CreateBucketCommand({ Bucket: BUCKET }));
});

afterAll(async () => {
  rawClient?.destroy();
  if (state === "") return;
  await run("bash", [join(root, "scripts/stop-swift.sh"), state]);
  await rm(state, { recursive: true, force: true });
});

describe("Swift's s3api", () => {
  it("does not enforce conditional writes, as the probe finds", async () => {
    const store = await createS3Store(storeOptions());
    expect(store.capabilities.conditionalWrites).toBe(false);
  });

  // Node ~42 MiB and the AWS SDK ~28 MiB are most of the ~75 MiB there before a byte moves.
  it("streams 256 MiB through put and get in a streamgate process whose peak RSS stays below 150 MB", async () => {
    const size = 256 * 1024 * 1024;
    const url = `s3://${BUCKET}/rss?endpoint=${encodeURIComponent(endpoint)}&region=us-east-1&forcePathStyle=true`;
    const rss = await rssRoundTrip(url, size, {
      ...process.env,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    });
    console.log(`256 MiB round trip through Swift: ${describeRss(rss)}`);
    expect(rss.peak).toBeLessThan(PEAK_RSS_BOUND);
  }, 300_000);
});

runStoreContract({
  name: "s3 (Swift s3api)",
  createStore: () => createS3Store(storeOptions()),
  destroyStore: emptyStore,
  largeObjects: { measureRss: () => process.memoryUsage().rss },
  extraTests: s3ExtraCases({ storeOptions, rawClient: raw, listsUploads: true }),
});
