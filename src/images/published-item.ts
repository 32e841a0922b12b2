import type { MappedImage } from "./map-image.ts";

/**
 * One image id as the published tree holds it: what a publish compares, carries over for a
 * failed region, and reports drift on.
 */
export interface PublishedItem {
  stream: string;
  productId: string;
  version: string;
  arch: string;
  region: string;
  endpoint: string;
  id: string;
  virt?: string;
  root_store?: string;
}

export function publishedItemOf(image: MappedImage): PublishedItem {
  return {
    stream: image.stream,
    productId: image.productId,
    version: image.version,
    arch: image.arch,
    region: image.region,
    endpoint: image.endpoint,
    id: image.id,
    ...(image.virt === undefined ? {} : { virt: image.virt }),
    ...(image.root_store === undefined ? {} : { root_store: image.root_store }),
  };
}

/** Everything about an item that ends up in the metadata, as one comparable string. */
export function describeItem(item: PublishedItem): string {
  return JSON.stringify([
    item.productId,
    item.region,
    item.id,
    item.endpoint,
    item.virt ?? "",
    item.root_store ?? "",
  ]);
}

/** Whether two snapshots publish the same metadata, whatever their order. */
export function sameItems(a: readonly PublishedItem[], b: readonly PublishedItem[]): boolean {
  if (a.length !== b.length) return false;
  const left = a.map(describeItem).sort();
  const right = b.map(describeItem).sort();
  return left.every((value, i) => value === right[i]);
}
