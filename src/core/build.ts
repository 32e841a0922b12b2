import type { FlatItem } from "./flatten.ts";
import { parseIndex } from "./parse-index.ts";
import { parseProducts } from "./parse-products.ts";
import {
  INDEX_FORMAT,
  type Index,
  type IndexEntry,
  type Item,
  PRODUCTS_FORMAT,
  type Product,
  type Products,
} from "./types.ts";

/**
 * `updated` as simplestreams writes it (RFC 1123 with a numeric zone, Go's
 * `time.RFC1123Z`, Python's `%a, %d %b %Y %H:%M:%S %z`): `Mon, 16 Jul 2018 14:14:22 +0000`.
 */
export function formatUpdated(date: Date): string {
  return date.toUTCString().replace(/GMT$/, "+0000");
}

/** An `index:1.0` document; throws `ParseError` if an entry would not parse back. */
export function buildIndex(entries: Record<string, IndexEntry>, updated: string): Index {
  return parseIndex({ format: INDEX_FORMAT, index: entries, updated });
}

export interface BuildProductsOptions {
  contentId: string;
  updated: string;
  products: Record<string, Product>;
  /** Written as the top-level `datatype`, like Canonical's files. */
  datatype?: string;
}

/** A `products:1.0` document; throws `ParseError` if it would not parse back. */
export function buildProducts(options: BuildProductsOptions): Products {
  return parseProducts({
    content_id: options.contentId,
    datatype: options.datatype,
    format: PRODUCTS_FORMAT,
    products: options.products,
    updated: options.updated,
  });
}

/**
 * Nests flat items back into `products` — the inverse of `flattenProducts`. Each item is
 * written with its resolved `fields`, so the result needs no inheritance or aliases and
 * reads the same in every Juju version.
 */
export function nestItems(items: readonly FlatItem[]): Record<string, Product> {
  // Maps, then Object.fromEntries: ids such as "__proto__" stay ordinary keys.
  const products = new Map<string, Map<string, Map<string, Item>>>();
  for (const { productId, versionKey, itemKey, fields } of items) {
    const versions = products.get(productId) ?? new Map<string, Map<string, Item>>();
    products.set(productId, versions);
    const collection = versions.get(versionKey) ?? new Map<string, Item>();
    versions.set(versionKey, collection);
    collection.set(itemKey, { ...fields });
  }
  return Object.fromEntries(
    [...products].map(([productId, versions]) => [
      productId,
      {
        versions: Object.fromEntries(
          [...versions].map(([versionKey, collection]) => [
            versionKey,
            { items: Object.fromEntries(collection) },
          ]),
        ),
      },
    ]),
  );
}
