import { beforeAll, describe, expect, it } from "vitest";
import type { GeneratedSigningKey } from "../signing/index.ts";
import { generateTestKey } from "../signing/test-support.ts";
import { imageLookupProductId, lookupImage } from "./image-lookup.ts";
import {
  addImageTree,
  createFakeMirror,
  ENDPOINT,
  type FakeMirror,
  IMAGE_PRODUCT_PATH,
  ORIGIN,
} from "./test-support.ts";

const BASE = `${ORIGIN}/images`;
let key: GeneratedSigningKey;
let other: GeneratedSigningKey;

beforeAll(async () => {
  [key, other] = await Promise.all([generateTestKey("operator"), generateTestKey("stranger")]);
});

async function mirror(signed = true): Promise<FakeMirror> {
  const fake = createFakeMirror();
  await addImageTree(fake, signed ? { signingKey: key.privateKey } : {});
  return fake;
}

function lookup(fake: FakeMirror, options: Partial<Parameters<typeof lookupImage>[0]> = {}) {
  return lookupImage({
    baseUrl: BASE,
    region: "RegionOne",
    endpoint: ENDPOINT,
    version: "24.04",
    arch: "amd64",
    keys: key.publicKey,
    fetch: fake.fetch,
    ...options,
  });
}

describe("imageLookupProductId", () => {
  it("names released products without a stream and others with theirs", () => {
    expect(imageLookupProductId("released", "24.04", "amd64")).toBe(
      "com.ubuntu.cloud:server:24.04:amd64",
    );
    expect(imageLookupProductId("daily", "22.04", "arm64")).toBe(
      "com.ubuntu.cloud.daily:server:22.04:arm64",
    );
  });
});

describe("lookupImage", () => {
  it("finds each region's image through the signed index after index2.sjson 404s", async () => {
    const fake = await mirror();
    const one = await lookup(fake);
    expect(one).toMatchObject({
      outcome: "found",
      id: "one-noble",
      index: { path: "streams/v1/index.sjson", signed: true },
      product: { contentId: "com.ubuntu.cloud:custom" },
      versionKey: "20261123",
    });
    expect(one.requests.slice(0, 3)).toEqual([
      { path: "streams/v1/index2.sjson", status: 404 },
      { path: "streams/v1/index.sjson", status: 200 },
      { path: "streams/v1/mirrors.sjson", status: 404 },
    ]);
    expect(await lookup(fake, { region: "RegionTwo" })).toMatchObject({ id: "two-noble" });
    expect(await lookup(fake, { version: "22.04", arch: "arm64" })).toMatchObject({
      id: "one-jammy-arm",
    });
  });

  it("matches the index's clouds like Juju, ignoring case, spaces and a trailing slash", async () => {
    const fake = await mirror(false);
    const found = await lookup(fake, { endpoint: `${ENDPOINT}/`, keys: undefined });
    expect(found).toMatchObject({ outcome: "found", index: { signed: false } });
    const elsewhere = await lookup(fake, { endpoint: "https://other.test/v3", keys: undefined });
    expect(elsewhere).toMatchObject({ outcome: "not-found", path: "streams/v1/index.json" });
    expect(elsewhere.outcome !== "found" && elsewhere.reason).toContain(
      "index file has no data for cloud {RegionOne https://other.test/v3}",
    );
  });

  it("wants the item's region exactly, although the index matches it loosely", async () => {
    const fake = await mirror(false);
    const result = await lookup(fake, { region: "regionone", keys: undefined });
    expect(result).toMatchObject({ outcome: "not-found", path: IMAGE_PRODUCT_PATH });
    expect(result.outcome !== "found" && result.reason).toContain('region exactly "regionone"');
  });

  it("takes the newest version key, comparing keys as strings", async () => {
    const fake = await mirror(false);
    await fake.editJson(`images/${IMAGE_PRODUCT_PATH}`, (document) => {
      const products = document.products as Record<string, { versions: Record<string, unknown> }>;
      const product = products["com.ubuntu.cloud:server:24.04:amd64"];
      if (product === undefined) throw new Error("no product");
      product.versions["20261124.1"] = {
        items: { newer: { id: "one-noble-newer", region: "RegionOne", endpoint: ENDPOINT } },
      };
      product.versions["2026"] = {
        items: { older: { id: "one-noble-older", region: "RegionOne", endpoint: ENDPOINT } },
      };
    });
    expect(await lookup(fake, { keys: undefined })).toMatchObject({
      id: "one-noble-newer",
      versionKey: "20261124.1",
    });
  });

  it("ignores signed files it cannot verify and reads the unsigned twins, like Juju", async () => {
    const fake = await mirror();
    const result = await lookup(fake, { keys: other.publicKey });
    expect(result).toMatchObject({ outcome: "found", index: { path: "streams/v1/index.json" } });
    expect(result.skipped).toEqual([
      { path: "streams/v1/index.sjson", reason: expect.stringContaining("signature check failed") },
    ]);
    const noKey = await lookup(fake, { keys: undefined });
    expect(noKey).toMatchObject({ outcome: "found", index: { signed: false } });
    const required = await lookup(fake, { keys: other.publicKey, requireSigned: true });
    expect(required).toMatchObject({ outcome: "broken", path: "streams/v1/index.sjson" });
  });

  it("finds a tree whose signed files do not verify, with nothing unsigned behind them, broken", async () => {
    const fake = await mirror();
    fake.files.delete("images/streams/v1/index.json");
    const result = await lookup(fake, { keys: other.publicKey });
    expect(result).toMatchObject({ outcome: "broken", path: "streams/v1/index.sjson" });
  });

  it("finds several index entries Juju would pick from at random broken", async () => {
    const fake = await mirror(false);
    await fake.editJson("images/streams/v1/index.json", (document) => {
      const index = document.index as Record<string, Record<string, unknown>>;
      index["com.ubuntu.cloud:other"] = {
        ...index["com.ubuntu.cloud:custom"],
        path: "streams/v1/other.json",
      };
    });
    const result = await lookup(fake, { keys: undefined });
    expect(result).toMatchObject({ outcome: "broken", path: "streams/v1/index.json" });
    expect(result.outcome !== "found" && result.reason).toContain("Juju picks any one of them");
  });

  it("finds an item that resolves to another arch, or has no id, broken", async () => {
    const fake = await mirror(false);
    await fake.editJson(`images/${IMAGE_PRODUCT_PATH}`, (document) => {
      const products = document.products as Record<string, Record<string, unknown>>;
      const product = products["com.ubuntu.cloud:server:24.04:amd64"] as Record<string, unknown>;
      product.arch = "arm64";
      const two = products["com.ubuntu.cloud:server:22.04:arm64"] as {
        versions: Record<string, { items: Record<string, Record<string, unknown>> }>;
      };
      for (const item of Object.values(two.versions["20261123"]?.items ?? {})) delete item.id;
    });
    const wrongArch = await lookup(fake, { keys: undefined });
    expect(wrongArch.outcome !== "found" && wrongArch.reason).toMatch(/arch arm64, not what/);
    const noId = await lookup(fake, { keys: undefined, version: "22.04", arch: "arm64" });
    expect(noId.outcome !== "found" && noId.reason).toContain("has no image id");
  });

  it("finds a broken answer broken: an index that fails with 500, a mirrors file that is HTML", async () => {
    const failing = await mirror(false);
    failing.files.set("images/streams/v1/index.json", () => new Response("", { status: 500 }));
    expect(await lookup(failing, { keys: undefined })).toMatchObject({
      outcome: "broken",
      reason: "streams/v1/index.json answered HTTP 500",
    });
    const html = await mirror(false);
    html.files.set(
      "images/streams/v1/mirrors.json",
      () =>
        new Response("<!doctype html><title>Not found</title>", {
          headers: { "content-type": "text/html" },
        }),
    );
    const result = await lookup(html, { keys: undefined });
    expect(result).toMatchObject({ outcome: "broken", path: "streams/v1/mirrors.json" });
    expect(result.outcome !== "found" && result.reason).toContain("cannot load mirror metadata");
  });
});
