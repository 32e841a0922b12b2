import { buildIndex, buildProducts, formatUpdated } from "../core/build.ts";
import { renderIndex, renderProducts } from "../core/render.ts";
import {
  type CloudSpec,
  IMAGE_DATATYPE,
  type Index,
  type IndexEntry,
  type Item,
  PRODUCTS_FORMAT,
  type Product,
  type Products,
  type Version,
} from "../core/types.ts";
import { productFilePath, streamContentId } from "./image-paths.ts";
import { type PublishedItem, sameItems } from "./published-item.ts";
import type { PreviousImages } from "./read-previous-images.ts";
import { nextVersionKey } from "./version-key.ts";

export interface PlanImageTreeOptions {
  /** What this publish lists: one item per region and product id. */
  items: readonly PublishedItem[];
  previous: PreviousImages;
  /** `cloudname` of every index entry. */
  cloud: string;
  /** Content id of the released stream's entry (see `streamContentId` for the others). */
  contentId: string;
  /** Version keys of earlier publishes kept next to the current one. */
  keepGenerations: number;
  /** `clouds` of every index entry: each region and its Keystone URL. */
  clouds: readonly CloudSpec[];
  now: Date;
}

export interface ImageTreePlan {
  /** The version key this publish adds; absent when it lists what the last one listed. */
  versionKey?: string;
  /** Product documents by stream, in stream order. */
  products: Map<string, Products>;
  /** The unsigned index; the signed one is derived from it. */
  index: Index;
}

function sortedRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Items of one version collection keyed by image id. A shared Glance lists one id in
 * several regions; those items are keyed `<id>:<region>` so none is lost.
 */
function versionOf(items: readonly PublishedItem[]): Version {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(item.id, (counts.get(item.id) ?? 0) + 1);
  const entries: [string, Item][] = items.map((item) => [
    (counts.get(item.id) ?? 0) > 1 ? `${item.id}:${item.region}` : item.id,
    {
      id: item.id,
      region: item.region,
      endpoint: item.endpoint,
      // On the item itself: older Juju does not inherit virt/root_store from the version.
      ...(item.virt === undefined ? {} : { virt: item.virt }),
      ...(item.root_store === undefined ? {} : { root_store: item.root_store }),
    },
  ]);
  return { items: sortedRecord(entries) };
}

/** Reuses the previous `updated` when nothing else changed, so the file re-renders byte-identical. */
function withStableUpdated<T extends { updated?: string }>(
  build: (updated: string) => T,
  render: (doc: T) => string,
  previous: T | undefined,
  now: Date,
): T {
  if (previous?.updated !== undefined) {
    const candidate = build(previous.updated);
    if (render(candidate) === render(previous)) return candidate;
  }
  return build(formatUpdated(now));
}

function keptVersionKeys(previous: PreviousImages, count: number): Set<string> {
  const keys = new Set<string>();
  for (const doc of previous.products.values()) {
    for (const product of Object.values(doc.products)) {
      for (const key of Object.keys(product.versions)) keys.add(key);
    }
  }
  return new Set([...keys].sort().reverse().slice(0, count));
}

/**
 * Plans the image-ids tree of one publish (pure). Every publish whose items differ from the
 * last one's adds one version key to every product it lists (a snapshot of the whole cloud),
 * and keeps the versions of the `keepGenerations` publishes before it, so an image that was
 * just replaced — or a product just removed — still resolves for a while; older versions
 * are dropped, and products left without versions with them. Juju reads the newest
 * version that names a region first. A publish that lists the same items adds nothing
 * and keeps every `updated`, so the documents re-render byte-identical.
 */
export function planImageTree(options: PlanImageTreeOptions): ImageTreePlan {
  const { previous, items, now } = options;
  const changed = previous.lastVersionKey === undefined || !sameItems(items, previous.current);
  const versionKey = changed
    ? nextVersionKey(now, keptVersionKeys(previous, Number.POSITIVE_INFINITY))
    : undefined;
  const kept = keptVersionKeys(previous, options.keepGenerations + (changed ? 0 : 1));

  // stream → product id → version key → version
  const tree = new Map<string, Map<string, { product: Product; versions: Map<string, Version> }>>();
  const productOf = (stream: string, productId: string, fields: Omit<Product, "versions">) => {
    const products = tree.get(stream) ?? new Map();
    tree.set(stream, products);
    const existing = products.get(productId);
    if (existing !== undefined) return existing;
    const created = { product: { ...fields, versions: {} }, versions: new Map() };
    products.set(productId, created);
    return created;
  };

  for (const [stream, doc] of previous.products) {
    for (const [productId, product] of Object.entries(doc.products)) {
      const { versions: previousVersions, ...fields } = product;
      for (const [key, version] of Object.entries(previousVersions)) {
        if (!kept.has(key)) continue;
        productOf(stream, productId, fields).versions.set(key, version);
      }
    }
  }
  if (versionKey !== undefined) {
    const grouped = new Map<string, PublishedItem[]>();
    for (const item of items) {
      const key = `${item.stream}\u0000${item.productId}`;
      const group = grouped.get(key);
      if (group === undefined) grouped.set(key, [item]);
      else group.push(item);
    }
    for (const group of grouped.values()) {
      const [first] = group as [PublishedItem];
      const fields = { version: first.version, arch: first.arch };
      productOf(first.stream, first.productId, fields).versions.set(versionKey, versionOf(group));
    }
  }

  const products = new Map<string, Products>();
  for (const stream of [...tree.keys()].sort()) {
    const byId = tree.get(stream) as NonNullable<ReturnType<typeof tree.get>>;
    const content = sortedRecord(
      [...byId].map(([productId, { product, versions }]): [string, Product] => [
        productId,
        { ...product, versions: sortedRecord(versions) },
      ]),
    );
    const contentId = streamContentId(options.contentId, stream);
    const doc = withStableUpdated(
      (updated) =>
        buildProducts({ contentId, updated, products: content, datatype: IMAGE_DATATYPE }),
      renderProducts,
      previous.products.get(stream),
      now,
    );
    products.set(stream, doc);
  }

  const clouds = [...options.clouds]
    .map(({ region, endpoint }) => ({ region, endpoint }))
    .sort((a, b) => (a.region < b.region ? -1 : a.region > b.region ? 1 : 0));
  const entries = (updated: string): Record<string, IndexEntry> =>
    sortedRecord(
      [...products].map(([stream, doc]): [string, IndexEntry] => [
        streamContentId(options.contentId, stream),
        {
          datatype: IMAGE_DATATYPE,
          path: productFilePath(stream),
          products: Object.keys(doc.products).sort(),
          format: PRODUCTS_FORMAT,
          updated: doc.updated ?? updated,
          cloudname: options.cloud,
          clouds,
        },
      ]),
    );
  const index = withStableUpdated(
    (updated) => buildIndex(entries(updated), updated),
    renderIndex,
    previous.index,
    now,
  );
  return { ...(versionKey === undefined ? {} : { versionKey }), products, index };
}
