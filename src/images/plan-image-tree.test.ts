import { describe, expect, it } from "vitest";
import { renderIndex, renderProducts } from "../core/render.ts";
import { createMemoryStore } from "../store/memory.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { type ImageTreePlan, planImageTree } from "./plan-image-tree.ts";
import { publishImageTree } from "./publish-image-tree.ts";
import type { PublishedItem } from "./published-item.ts";
import { type PreviousImages, readPreviousImages } from "./read-previous-images.ts";

const ONE = "https://keystone.example.com:5000/v3";
const TWO = "https://keystone-two.example.com:5000/v3";
const CLOUDS = [
  { region: "RegionTwo", endpoint: TWO },
  { region: "RegionOne", endpoint: ONE },
];

function item(
  id: string,
  region: string,
  version = "24.04",
  arch = "amd64",
  stream = "released",
  extra: Partial<PublishedItem> = {},
): PublishedItem {
  const prefix = stream === "released" ? "com.ubuntu.cloud" : `com.ubuntu.cloud.${stream}`;
  return {
    stream,
    productId: `${prefix}:server:${version}:${arch}`,
    version,
    arch,
    region,
    endpoint: region === "RegionOne" ? ONE : TWO,
    id,
    ...extra,
  };
}

const EMPTY: PreviousImages = { products: new Map(), current: [], warnings: [] };

function plan(items: PublishedItem[], previous: PreviousImages, now: string, keep = 2) {
  return planImageTree({
    items,
    previous,
    cloud: "mycloud",
    contentId: "com.ubuntu.cloud:custom",
    keepGenerations: keep,
    clouds: CLOUDS,
    now: new Date(now),
  });
}

/** Publishes a plan (unsigned) and reads it back, as the next run would. */
async function roundTrip(store: ObjectStore, tree: ImageTreePlan): Promise<PreviousImages> {
  await publishImageTree({ store, plan: tree, now: new Date() });
  return readPreviousImages(store);
}

function versionKeys(tree: ImageTreePlan, stream: string, productId: string): string[] {
  return Object.keys(tree.products.get(stream)?.products[productId]?.versions ?? {});
}

describe("planImageTree", () => {
  it("writes one index entry per stream, each naming its product file, products and clouds", () => {
    const tree = plan(
      [
        item("a", "RegionOne"),
        item("b", "RegionTwo"),
        item("d", "RegionOne", "24.04", "amd64", "daily"),
      ],
      EMPTY,
      "2026-11-23T10:00:00Z",
    );
    expect(tree.versionKey).toBe("20261123");
    expect(tree.index).toEqual({
      format: "index:1.0",
      updated: "Mon, 23 Nov 2026 10:00:00 +0000",
      index: {
        "com.ubuntu.cloud.daily:custom": {
          datatype: "image-ids",
          path: "streams/v1/com.ubuntu.cloud-daily-imagemetadata.json",
          products: ["com.ubuntu.cloud.daily:server:24.04:amd64"],
          format: "products:1.0",
          updated: "Mon, 23 Nov 2026 10:00:00 +0000",
          cloudname: "mycloud",
          clouds: [
            { region: "RegionOne", endpoint: ONE },
            { region: "RegionTwo", endpoint: TWO },
          ],
        },
        "com.ubuntu.cloud:custom": {
          datatype: "image-ids",
          path: "streams/v1/com.ubuntu.cloud-released-imagemetadata.json",
          products: ["com.ubuntu.cloud:server:24.04:amd64"],
          format: "products:1.0",
          updated: "Mon, 23 Nov 2026 10:00:00 +0000",
          cloudname: "mycloud",
          clouds: [
            { region: "RegionOne", endpoint: ONE },
            { region: "RegionTwo", endpoint: TWO },
          ],
        },
      },
    });
  });

  it("writes product-level version and arch, and items keyed by image id with region and endpoint", () => {
    const tree = plan(
      [
        item("a", "RegionOne", "24.04", "amd64", "released", { virt: "kvm", root_store: "ebs" }),
        item("b", "RegionTwo"),
      ],
      EMPTY,
      "2026-11-23T10:00:00Z",
    );
    expect(tree.products.get("released")).toEqual({
      content_id: "com.ubuntu.cloud:custom",
      datatype: "image-ids",
      format: "products:1.0",
      updated: "Mon, 23 Nov 2026 10:00:00 +0000",
      products: {
        "com.ubuntu.cloud:server:24.04:amd64": {
          version: "24.04",
          arch: "amd64",
          versions: {
            "20261123": {
              items: {
                a: { id: "a", region: "RegionOne", endpoint: ONE, virt: "kvm", root_store: "ebs" },
                b: { id: "b", region: "RegionTwo", endpoint: TWO },
              },
            },
          },
        },
      },
    });
  });

  it("keys an id that a shared Glance lists in several regions by id and region", () => {
    const tree = plan(
      [item("same", "RegionOne"), item("same", "RegionTwo")],
      EMPTY,
      "2026-11-23T10:00:00Z",
    );
    const items =
      tree.products.get("released")?.products["com.ubuntu.cloud:server:24.04:amd64"]?.versions[
        "20261123"
      ]?.items ?? {};
    expect(Object.keys(items)).toEqual(["same:RegionOne", "same:RegionTwo"]);
  });

  it("adds nothing and keeps every byte when the items did not change", async () => {
    const store = createMemoryStore();
    const first = plan(
      [item("a", "RegionOne"), item("b", "RegionTwo")],
      EMPTY,
      "2026-11-23T10:00:00Z",
    );
    const previous = await roundTrip(store, first);
    const again = plan(
      [item("b", "RegionTwo"), item("a", "RegionOne")],
      previous,
      "2026-11-24T10:00:00Z",
    );
    expect(again.versionKey).toBeUndefined();
    expect(renderIndex(again.index)).toBe(renderIndex(first.index));
    expect(renderProducts(again.products.get("released") as never)).toBe(
      renderProducts(first.products.get("released") as never),
    );
  });

  it("adds a version for a change and keeps the previous N publishes' versions", async () => {
    const store = createMemoryStore();
    const product = "com.ubuntu.cloud:server:24.04:amd64";
    let previous = EMPTY;
    const keys: string[][] = [];
    for (const [i, id] of ["v1", "v2", "v3", "v4"].entries()) {
      const tree = plan([item(id, "RegionOne")], previous, `2026-11-2${i}T10:00:00Z`, 2);
      keys.push(versionKeys(tree, "released", product));
      previous = await roundTrip(store, tree);
    }
    expect(keys).toEqual([
      ["20261120"],
      ["20261120", "20261121"],
      ["20261120", "20261121", "20261122"],
      ["20261121", "20261122", "20261123"],
    ]);
    expect(previous.current.map((current) => current.id)).toEqual(["v4"]);
  });

  it("keeps only the current version with keepGenerations 0", async () => {
    const store = createMemoryStore();
    const previous = await roundTrip(
      store,
      plan([item("v1", "RegionOne")], EMPTY, "2026-11-20T10:00:00Z", 0),
    );
    const tree = plan([item("v2", "RegionOne")], previous, "2026-11-21T10:00:00Z", 0);
    expect(versionKeys(tree, "released", "com.ubuntu.cloud:server:24.04:amd64")).toEqual([
      "20261121",
    ]);
  });

  it("keeps a removed product for N publishes, then drops it and its stream's entry", async () => {
    const store = createMemoryStore();
    let previous = await roundTrip(
      store,
      plan(
        [item("a", "RegionOne"), item("d", "RegionOne", "24.04", "amd64", "daily")],
        EMPTY,
        "2026-11-20T10:00:00Z",
        1,
      ),
    );
    const removed = plan([item("a2", "RegionOne")], previous, "2026-11-21T10:00:00Z", 1);
    expect(Object.keys(removed.index.index)).toContain("com.ubuntu.cloud.daily:custom");
    previous = await roundTrip(store, removed);
    const later = plan([item("a3", "RegionOne")], previous, "2026-11-22T10:00:00Z", 1);
    expect(Object.keys(later.index.index)).toEqual(["com.ubuntu.cloud:custom"]);
    expect(later.products.has("daily")).toBe(false);
  });

  it("counts the last publish from the newest key in any stream", async () => {
    const store = createMemoryStore();
    const first = plan(
      [item("a", "RegionOne"), item("d", "RegionOne", "24.04", "amd64", "daily")],
      EMPTY,
      "2026-11-20T10:00:00Z",
    );
    const second = plan(
      [item("a", "RegionOne")],
      await roundTrip(store, first),
      "2026-11-21T10:00:00Z",
    );
    const previous = await roundTrip(store, second);
    expect(previous.lastVersionKey).toBe("20261121");
    expect(previous.current.map((current) => current.id)).toEqual(["a"]);
  });

  it("updates the index's updated when only its clouds change", async () => {
    const store = createMemoryStore();
    const first = plan([item("a", "RegionOne")], EMPTY, "2026-11-20T10:00:00Z");
    const previous = await roundTrip(store, first);
    const tree = planImageTree({
      items: [item("a", "RegionOne")],
      previous,
      cloud: "mycloud",
      contentId: "com.ubuntu.cloud:custom",
      keepGenerations: 2,
      clouds: [...CLOUDS, { region: "RegionThree", endpoint: ONE }],
      now: new Date("2026-11-21T10:00:00Z"),
    });
    expect(tree.versionKey).toBeUndefined();
    expect(tree.index.updated).toBe("Sat, 21 Nov 2026 10:00:00 +0000");
    expect(tree.products.get("released")?.updated).toBe("Fri, 20 Nov 2026 10:00:00 +0000");
  });
});
