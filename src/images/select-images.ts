import type { MappedImage } from "./map-image.ts";

/** An image that maps to the same product in the same region as a newer one. */
export interface SupersededImage {
  region: string;
  id: string;
  name?: string;
  productId: string;
  /** The id published instead. */
  chosen: string;
}

export interface ImageSelection {
  /** One image per (region, product id), sorted by region, product id. */
  selected: MappedImage[];
  superseded: SupersededImage[];
}

function createdTime(image: MappedImage): number {
  const time = image.createdAt === undefined ? Number.NaN : Date.parse(image.createdAt);
  return Number.isNaN(time) ? Number.NEGATIVE_INFINITY : time;
}

/** Newest `createdAt` first (missing or unreadable dates last), then id ascending. */
function preferred(a: MappedImage, b: MappedImage): number {
  const byTime = createdTime(b) - createdTime(a);
  if (byTime !== 0 && !Number.isNaN(byTime)) return byTime;
  return a.id < b.id ? -1 : a.id > b.id ? 1 : 0;
}

/**
 * Keeps one image per region and product id (stream, version, arch): if several matched,
 * Juju would pick any of them (juju-contract.md §7). The newest by `createdAt` wins, then
 * the smallest id, so the choice does not depend on listing order.
 */
export function selectImages(images: readonly MappedImage[]): ImageSelection {
  const groups = new Map<string, MappedImage[]>();
  for (const image of images) {
    const key = `${image.region}\u0000${image.productId}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [image]);
    else group.push(image);
  }
  const selected: MappedImage[] = [];
  const superseded: SupersededImage[] = [];
  for (const key of [...groups.keys()].sort()) {
    const [chosen, ...others] = (groups.get(key) as MappedImage[]).sort(preferred);
    if (chosen === undefined) continue;
    selected.push(chosen);
    for (const other of others) {
      superseded.push({
        region: other.region,
        id: other.id,
        ...(other.name === undefined ? {} : { name: other.name }),
        productId: other.productId,
        chosen: chosen.id,
      });
    }
  }
  return { selected, superseded };
}
