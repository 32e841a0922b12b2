/**
 * The S3 adapter against Miniflare's local R2 S3 API (`/cdn-cgi/local/r2/s3`), started in
 * this process: the same R2 simulator as the Worker's binding, reached through the AWS SDK.
 * It enforces conditional writes, so the contract's conditional cases run here. Its
 * multipart uploads are slow, so the large-object case runs against Swift only.
 */
import { S3Client } from "@aws-sdk/client-s3";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createS3Store, type S3StoreOptions } from "../../src/store/s3.ts";
import { runStoreContract } from "../../src/store/store-contract.ts";
import { emptyStore, s3ExtraCases } from "./s3-extra-cases.ts";

const BUCKET = "streamgate-contract";
const credentials = { accessKeyId: "streamgate-test", secretAccessKey: "streamgate-test-secret" };

let miniflare: Miniflare | undefined;
let endpoint = "";

beforeAll(async () => {
  miniflare = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    logRequests: false,
    workers: [
      {
        config: {
          name: "r2-s3-host",
          compatibilityDate: "2026-01-01",
          manifest: {
            mainModule: "index.mjs",
            modules: {
              "index.mjs": {
                type: "esm",
                contents: "export default { fetch() { return new Response('r2 s3 host'); } };",
              },
            },
          },
          env: {
            MIRROR: {
              type: "r2",
              name: BUCKET,
              dev: { experimentalS3Credentials: credentials },
            },
          },
        },
      },
    ],
  });
  const url = await miniflare.ready;
  endpoint = new URL("/cdn-cgi/local/r2/s3", url).href;
});

afterAll(async () => {
  await miniflare?.dispose();
});

function storeOptions(): S3StoreOptions {
  return { bucket: BUCKET, endpoint, region: "auto", forcePathStyle: true, credentials };
}

let rawClient: S3Client | undefined;
function raw(): S3Client {
  rawClient ??= new S3Client({
    ...storeOptions(),
    requestChecksumCalculation: "WHEN_REQUIRED",
  });
  return rawClient;
}

describe("Miniflare's R2 S3 endpoint", () => {
  it("enforces conditional writes, as the probe finds", async () => {
    const store = await createS3Store(storeOptions());
    expect(store.capabilities.conditionalWrites).toBe(true);
  });
});

runStoreContract({
  name: "s3 (Miniflare R2)",
  createStore: () => createS3Store(storeOptions()),
  destroyStore: emptyStore,
  extraTests: s3ExtraCases({ storeOptions, rawClient: raw, listsUploads: false }),
});
