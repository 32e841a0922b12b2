import { beforeAll, describe, expect, it } from "vitest";
import { parseIndex } from "../core/parse-index.ts";
import { UnusableKeyError } from "../signing/errors.ts";
import type { GeneratedSigningKey } from "../signing/generate-key.ts";
import { generateTestKey } from "../signing/test-support.ts";
import { verifyClearsigned } from "../signing/verify-clearsigned.ts";
import { createMemoryStore } from "../store/memory.ts";
import type { ObjectStore, PutBody, PutOptions } from "../store/object-store.ts";
import type { ImageSource, RegionListing, SourceImage, SourceListing } from "./image-source.ts";
import { ImageSourceError, ImagesInputError } from "./images-errors.ts";
import { readObjectText } from "./read-text.ts";
import { type RunImagesSyncOptions, runImagesSync } from "./sync-images.ts";

const KEYSTONE = "https://keystone.example.com:5000/v3";
const INDEX = "images/streams/v1/index.json";
const RELEASED = "images/streams/v1/com.ubuntu.cloud-released-imagemetadata.json";

interface RecordingStore extends ObjectStore {
  /** Keys of the served tree written or deleted, in order. */
  puts: string[];
  deletes: string[];
  /** Every key, `.streamgate/` (the lock) included. */
  allPuts: string[];
  allDeletes: string[];
}

const served = (key: string) => !key.startsWith(".streamgate/");

function recording(store: ObjectStore = createMemoryStore()): RecordingStore {
  const puts: string[] = [];
  const deletes: string[] = [];
  const allPuts: string[] = [];
  const allDeletes: string[] = [];
  return {
    name: store.name,
    capabilities: store.capabilities,
    get: (key, options) => store.get(key, options),
    head: (key) => store.head(key),
    list: (prefix) => store.list(prefix),
    put: (key: string, body: PutBody, options?: PutOptions) => {
      allPuts.push(key);
      if (served(key)) puts.push(key);
      return store.put(key, body, options);
    },
    delete: (keys) => {
      allDeletes.push(...keys);
      deletes.push(...keys.filter(served));
      return store.delete(keys);
    },
    puts,
    deletes,
    allPuts,
    allDeletes,
  };
}

function ubuntu(
  id: string,
  version = "24.04",
  arch = "x86_64",
  createdAt = "2026-01-01T00:00:00Z",
): SourceImage {
  return {
    id,
    createdAt,
    properties: { os_distro: "ubuntu", os_version: version, architecture: arch },
  };
}

function ok(region: string, images: SourceImage[]): RegionListing {
  return { region, ok: true, images };
}

function source(...regions: RegionListing[]): ImageSource & { calls: number } {
  const listing: SourceListing = { endpoint: KEYSTONE, regions };
  const scripted = {
    description: "scripted",
    calls: 0,
    list: async () => {
      scripted.calls++;
      return listing;
    },
  };
  return scripted;
}

let key: GeneratedSigningKey;
beforeAll(async () => {
  key = await generateTestKey();
});

function sync(store: ObjectStore, from: ImageSource, extra: Partial<RunImagesSyncOptions> = {}) {
  return runImagesSync({
    store,
    source: from,
    cloud: "mycloud",
    signingKey: key.privateKey,
    now: () => new Date("2026-11-23T10:00:00Z"),
    ...extra,
  });
}

async function allObjects(store: ObjectStore): Promise<Map<string, string>> {
  const objects = new Map<string, string>();
  for await (const info of store.list("")) {
    objects.set(info.key, (await readObjectText(store, info.key)) ?? "");
  }
  return objects;
}

const TWO_REGIONS = () =>
  source(
    ok("RegionOne", [ubuntu("one-noble"), ubuntu("one-jammy", "jammy")]),
    ok("RegionTwo", [ubuntu("two-noble")]),
  );

describe("runImagesSync", () => {
  it("publishes signed and unsigned products, the index last, and the public key", async () => {
    const store = recording();
    const { report, counts } = await sync(store, TWO_REGIONS());
    expect(store.puts).toEqual([
      RELEASED,
      RELEASED.replace(/json$/, "sjson"),
      "keys/images.asc",
      INDEX,
      "images/streams/v1/index.sjson",
    ]);
    expect(report).toMatchObject({
      cloud: "mycloud",
      published: true,
      signed: true,
      versionKey: "20261123",
    });
    expect(counts).toMatchObject({
      regions: 2,
      listed: 3,
      published: 3,
      added: 3,
      filesWritten: 5,
    });
    expect(report.regions.map((region) => [region.region, region.added])).toEqual([
      ["RegionOne", ["one-jammy", "one-noble"]],
      ["RegionTwo", ["two-noble"]],
    ]);

    const objects = await allObjects(store);
    const signedIndex = await verifyClearsigned(
      objects.get("images/streams/v1/index.sjson") ?? "",
      key.publicKey,
    );
    const index = parseIndex(JSON.parse(signedIndex.text));
    expect(index.index["com.ubuntu.cloud:custom"]?.path).toBe(
      "streams/v1/com.ubuntu.cloud-released-imagemetadata.sjson",
    );
    const signedProducts = await verifyClearsigned(
      objects.get(RELEASED.replace(/json$/, "sjson")) ?? "",
      objects.get("keys/images.asc") ?? "",
    );
    expect(signedProducts.text).toBe(objects.get(RELEASED));
    for (const [name, text] of objects) expect(text, name).not.toContain("PRIVATE KEY");
  });

  it("publishes nothing and writes nothing when the images did not change", async () => {
    const store = recording();
    await sync(store, TWO_REGIONS());
    const before = await allObjects(store);
    store.puts.length = 0;
    const { report, counts } = await sync(store, TWO_REGIONS(), {
      now: () => new Date("2026-11-25T10:00:00Z"),
    });
    expect(report.published).toBe(false);
    expect(report.files).toEqual([]);
    expect(report.versionKey).toBeUndefined();
    expect(counts).toMatchObject({ added: 0, removed: 0, changed: 0, filesWritten: 0 });
    expect(store.puts).toEqual([]);
    expect(await allObjects(store)).toEqual(before);
  });

  it("reports ids added, removed and changed per region", async () => {
    const store = createMemoryStore();
    await sync(store, TWO_REGIONS());
    const { report } = await sync(
      store,
      source(
        ok("RegionOne", [ubuntu("one-noble-2"), ubuntu("one-jammy", "jammy", "aarch64")]),
        ok("RegionTwo", [ubuntu("two-noble"), ubuntu("two-focal", "20.04")]),
      ),
      { now: () => new Date("2026-11-24T10:00:00Z") },
    );
    const [one, two] = report.regions;
    expect(one).toMatchObject({ added: ["one-noble-2"], removed: ["one-noble"] });
    expect(one?.changed).toEqual([
      {
        id: "one-jammy",
        from: { productId: "com.ubuntu.cloud:server:22.04:amd64", endpoint: KEYSTONE },
        to: { productId: "com.ubuntu.cloud:server:22.04:arm64", endpoint: KEYSTONE },
      },
    ]);
    expect(two).toMatchObject({ added: ["two-focal"], removed: [], changed: [] });
    expect(report.versionKey).toBe("20261124");
  });

  it("keeps a failing region's previous ids and reports it, without a new generation", async () => {
    const store = recording();
    await sync(store, TWO_REGIONS());
    store.puts.length = 0;
    const { report, counts } = await sync(
      store,
      source(ok("RegionOne", [ubuntu("one-noble"), ubuntu("one-jammy", "jammy")]), {
        region: "RegionTwo",
        ok: false,
        error: "Glance answered HTTP 503",
      }),
    );
    expect(report.published).toBe(false);
    expect(store.puts).toEqual([]);
    expect(counts).toMatchObject({ regionsFailed: 1, published: 3, removed: 0 });
    expect(report.regions[1]).toMatchObject({
      region: "RegionTwo",
      status: "failed",
      error: "Glance answered HTTP 503",
      published: 1,
      removed: [],
    });
    expect(report.warnings).toContain(
      "region RegionTwo failed (Glance answered HTTP 503); it keeps its 1 previous image id(s)",
    );
  });

  it("carries a failing region's ids into a new version when another region changes", async () => {
    const store = createMemoryStore();
    await sync(store, TWO_REGIONS());
    await sync(
      store,
      source(ok("RegionOne", [ubuntu("one-noble-2")]), {
        region: "RegionTwo",
        ok: false,
        error: "down",
      }),
      { now: () => new Date("2026-11-24T10:00:00Z") },
    );
    const products = JSON.parse((await readObjectText(store, RELEASED)) ?? "{}");
    const newest =
      products.products["com.ubuntu.cloud:server:24.04:amd64"].versions["20261124"].items;
    expect(Object.keys(newest).sort()).toEqual(["one-noble-2", "two-noble"]);
  });

  it("fails without publishing when every region fails", async () => {
    const store = recording();
    const failing = source({ region: "RegionOne", ok: false, error: "down" });
    await expect(sync(store, failing)).rejects.toThrow(ImageSourceError);
    await expect(sync(store, failing)).rejects.toThrow(
      /every region failed, nothing published:\n {2}RegionOne: down/,
    );
    expect(store.puts).toEqual([]);
  });

  it("lists unmapped and superseded images in the report, never in the metadata", async () => {
    const store = createMemoryStore();
    const { report, counts } = await sync(
      store,
      source(
        ok("RegionOne", [
          ubuntu("newer", "24.04", "x86_64", "2026-02-01T00:00:00Z"),
          ubuntu("older", "24.04", "x86_64", "2026-01-01T00:00:00Z"),
          { id: "win", name: "windows", properties: { os_distro: "windows" } },
        ]),
      ),
    );
    expect(report.regions[0]?.unmapped).toEqual([
      { id: "win", name: "windows", reason: 'os_distro is "windows", not ubuntu' },
    ]);
    expect(report.regions[0]?.superseded).toEqual([
      { id: "older", productId: "com.ubuntu.cloud:server:24.04:amd64", chosen: "newer" },
    ]);
    expect(counts).toMatchObject({ unmapped: 1, superseded: 1, published: 1 });
    const text = (await readObjectText(store, RELEASED)) ?? "";
    expect(text).toContain('"newer"');
    expect(text).not.toContain('"older"');
    expect(text).not.toContain('"win"');
  });

  it("publishes unsigned .json only without a key, warns, and removes stale .sjson", async () => {
    const store = recording();
    await sync(store, TWO_REGIONS());
    const { report } = await sync(store, TWO_REGIONS(), { signingKey: undefined });
    expect(report.signed).toBe(false);
    expect(report.published).toBe(true);
    expect(report.warnings[0]).toMatch(/^no signing key: published unsigned \.json only/);
    expect(report.files).toEqual([
      { key: "images/streams/v1/index.sjson", action: "delete" },
      { key: "images/streams/v1/com.ubuntu.cloud-released-imagemetadata.sjson", action: "delete" },
    ]);
    expect(store.deletes).toEqual(report.files.map((file) => file.key));
    const keys = [...(await allObjects(store)).keys()];
    expect(keys.filter((name) => name.endsWith(".sjson"))).toEqual([]);
    expect(keys).toContain(INDEX);
  });

  it("changes nothing in a dry run and lists what it would change", async () => {
    const store = recording();
    const { report } = await sync(store, TWO_REGIONS(), { dryRun: true });
    expect(store.puts).toEqual([]);
    expect(store.deletes).toEqual([]);
    expect(report.published).toBe(false);
    expect(report.dryRun).toBe(true);
    expect(report.files.map((file) => file.key)).toContain(INDEX);
  });

  it("writes each region's Keystone URL from the most specific setting", async () => {
    const store = createMemoryStore();
    const listing: SourceListing = {
      endpoint: "https://from-source/v3",
      regions: [
        { region: "A", ok: true, images: [ubuntu("a")] },
        { region: "B", endpoint: "https://from-static-region/v3", ok: true, images: [ubuntu("b")] },
        { region: "C", endpoint: "https://from-static-region/v3", ok: true, images: [ubuntu("c")] },
      ],
    };
    const from: ImageSource = { description: "scripted", list: async () => listing };
    const { report } = await sync(store, from, {
      endpoint: "https://from-config/v3",
      regionEndpoints: { C: "https://from-region-config/v3" },
    });
    expect(report.regions.map((region) => [region.region, region.endpoint])).toEqual([
      ["A", "https://from-config/v3"],
      ["B", "https://from-static-region/v3"],
      ["C", "https://from-region-config/v3"],
    ]);
    const { report: fallback } = await sync(createMemoryStore(), from);
    expect(fallback.regions[0]?.endpoint).toBe("https://from-source/v3");
  });

  it("refuses to run without a cloud name or a Keystone URL", async () => {
    const bare: ImageSource = {
      description: "scripted",
      list: async () => ({ regions: [ok("R", [ubuntu("x")])] }),
    };
    await expect(sync(createMemoryStore(), bare, { cloud: undefined })).rejects.toThrow(
      ImagesInputError,
    );
    await expect(sync(createMemoryStore(), bare)).rejects.toThrow(
      /region R: set images.endpoint \(or --endpoint\)/,
    );
  });

  it("refuses a key Juju could not verify before it lists anything", async () => {
    const from = TWO_REGIONS();
    await expect(sync(createMemoryStore(), from, { signingKey: key.publicKey })).rejects.toThrow(
      UnusableKeyError,
    );
    expect(from.calls).toBe(0);
  });

  it("rebuilds a tree whose previous index does not parse, and says so", async () => {
    const store = createMemoryStore();
    await store.put(INDEX, "{not json");
    const { report } = await sync(store, TWO_REGIONS());
    expect(report.published).toBe(true);
    expect(report.warnings[0]).toMatch(/^images\/streams\/v1\/index\.json is not valid/);
  });
});

describe("runImagesSync and the images lock", () => {
  it("holds the lock while it writes and releases it after", async () => {
    const store = recording();
    await sync(store, TWO_REGIONS(), { lock: { owner: "test" } });
    expect(store.allPuts[0]).toBe(".streamgate/lock/images");
    expect(store.allPuts.slice(1)).toEqual(store.puts);
    expect(store.allDeletes).toEqual([".streamgate/lock/images"]);
    expect(await store.head(".streamgate/lock/images")).toBeNull();
  });

  it("takes no lock in a dry run", async () => {
    const store = recording();
    await sync(store, TWO_REGIONS(), { dryRun: true });
    expect(store.allPuts).toEqual([]);
  });

  it("releases the lock when publishing fails", async () => {
    const store = createMemoryStore();
    const failing: ObjectStore = {
      ...store,
      name: "failing",
      capabilities: store.capabilities,
      get: (k, o) => store.get(k, o),
      head: (k) => store.head(k),
      list: (p) => store.list(p),
      delete: (k) => store.delete(k),
      put: (k, body, options) =>
        k.startsWith("images/")
          ? Promise.reject(new Error("disk full"))
          : store.put(k, body, options),
    };
    await expect(sync(failing, TWO_REGIONS())).rejects.toThrow("disk full");
    expect(await store.head(".streamgate/lock/images")).toBeNull();
  });
});

describe("runImagesSync and regions that disappear", () => {
  it("removes the ids of a region the cloud no longer lists, and reports it", async () => {
    const store = createMemoryStore();
    await sync(store, TWO_REGIONS());
    const { report } = await sync(
      store,
      source(ok("RegionOne", [ubuntu("one-noble"), ubuntu("one-jammy", "jammy")])),
      {
        now: () => new Date("2026-11-24T10:00:00Z"),
      },
    );
    expect(report.published).toBe(true);
    expect(report.regions[1]).toMatchObject({
      region: "RegionTwo",
      status: "gone",
      removed: ["two-noble"],
    });
    expect(report.warnings).toContain(
      "region RegionTwo is no longer in the cloud's image catalog; its 1 image id(s) were removed",
    );
    const index = JSON.parse((await readObjectText(store, INDEX)) ?? "{}");
    expect(index.index["com.ubuntu.cloud:custom"].clouds).toEqual([
      { region: "RegionOne", endpoint: KEYSTONE },
    ]);
  });
});
