import type { PublishedItem } from "./published-item.ts";
import type { SupersededImage } from "./select-images.ts";

/** What an item publishes besides its id; `changed` drift compares these. */
export interface ItemSummary {
  productId: string;
  endpoint: string;
  virt?: string;
  root_store?: string;
}

export interface ChangedImage {
  id: string;
  from: ItemSummary;
  to: ItemSummary;
}

/** Drift and problems of one region since the last publish. */
export interface RegionReport {
  region: string;
  endpoint: string;
  /**
   * `failed`: its images could not be listed; it keeps the ids it had. `gone`: the cloud no
   * longer lists the region (no image endpoint); its ids were removed.
   */
  status: "ok" | "failed" | "gone";
  error?: string;
  /** Active images the source listed. */
  listed: number;
  /** Image ids the region has in the metadata after this run. */
  published: number;
  added: string[];
  removed: string[];
  changed: ChangedImage[];
  /** Images that could not be mapped to an Ubuntu version and architecture, and why. */
  unmapped: { id: string; name?: string; reason: string }[];
  /** Images that lost to a newer one for the same product. */
  superseded: Omit<SupersededImage, "region">[];
}

/** A change to the published tree (or, with `dryRun`, one that would be made). */
export interface FileChange {
  key: string;
  action: "write" | "delete";
}

/**
 * The report of one `sync images` run: returned by `runImagesSync`, carried in the job's
 * result (shown by `/status`) and printed by `--json`.
 */
export interface ImagesReport {
  cloud: string;
  /** Where the images came from: `openstack (https://keystone…/v3)`, `static list FILE`. */
  source: string;
  dryRun: boolean;
  /** The served tree changed; always false with `dryRun` (`files` then lists what would change). */
  published: boolean;
  signed: boolean;
  /** The version key this run added to the products; absent when the images did not change. */
  versionKey?: string;
  regions: RegionReport[];
  /** Regions of the cloud without an image service: not published. */
  regionsWithoutImages: string[];
  files: FileChange[];
  warnings: string[];
}

function summary(item: PublishedItem): ItemSummary {
  return {
    productId: item.productId,
    endpoint: item.endpoint,
    ...(item.virt === undefined ? {} : { virt: item.virt }),
    ...(item.root_store === undefined ? {} : { root_store: item.root_store }),
  };
}

function sameSummary(a: ItemSummary, b: ItemSummary): boolean {
  return (
    a.productId === b.productId &&
    a.endpoint === b.endpoint &&
    a.virt === b.virt &&
    a.root_store === b.root_store
  );
}

/** Ids added, removed and changed in one region between two publishes' items. */
export function buildRegionDrift(
  before: readonly PublishedItem[],
  after: readonly PublishedItem[],
): Pick<RegionReport, "added" | "removed" | "changed"> {
  const old = new Map(before.map((item) => [item.id, item]));
  const now = new Map(after.map((item) => [item.id, item]));
  const added = [...now.keys()].filter((id) => !old.has(id)).sort();
  const removed = [...old.keys()].filter((id) => !now.has(id)).sort();
  const changed: ChangedImage[] = [];
  for (const [id, item] of [...now].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const previous = old.get(id);
    if (previous === undefined) continue;
    const from = summary(previous);
    const to = summary(item);
    if (!sameSummary(from, to)) changed.push({ id, from, to });
  }
  return { added, removed, changed };
}
