import type { Aliases, Item, Products } from "./types.ts";

/** One item of a product file with the fields Juju resolves for it. */
export interface FlatItem {
  /** The document's `content_id`, when it has one. */
  contentId: string | undefined;
  productId: string;
  versionKey: string;
  itemKey: string;
  /** The item after `_aliases` and inheritance: what Juju reads. A copy. */
  fields: Item;
  /** The item as written in the document (same object, not a copy). */
  item: Item;
}

// Which blank string fields each level hands down, after juju/juju
// environs/simplestreams: denormaliseMetadata() runs inherit(catalog, metadata),
// inherit(collection, catalog), inherit(item, collection), each filling the blank string
// fields the destination struct declares from the same-named fields of the source.
type InheritedField =
  | "release"
  | "version"
  | "arch"
  | "region"
  | "endpoint"
  | "root_store"
  | "virt";
type Inherited = Partial<Record<InheritedField, string>>;

const TOP_FIELDS: readonly InheritedField[] = ["region", "endpoint", "root_store", "virt"];
const PRODUCT_FIELDS: readonly InheritedField[] = [
  "release",
  "version",
  "arch",
  "region",
  "endpoint",
  "root_store",
  "virt",
];
// The collection struct also declares root_store and virt, so the product's values pass
// through it to the items, but json.go never decodes a collection's own root_store/virt.
const VERSION_OWN_FIELDS: readonly InheritedField[] = [
  "arch",
  "version",
  "release",
  "region",
  "endpoint",
];
const PASSED_THROUGH_VERSION: readonly InheritedField[] = ["root_store", "virt"];

// String fields of Juju's item structs (ToolsMetadata ∪ ImageMetadata): aliases can match
// and set only these; Go's setFieldByTag ignores fields the item struct lacks.
const ALIASABLE = new Set([
  "release",
  "version",
  "arch",
  "path",
  "ftype",
  "sha256",
  "id",
  "root_store",
  "virt",
  "crsn",
  "region",
  "endpoint",
]);

function resolve(
  own: Record<string, unknown>,
  fields: readonly InheritedField[],
  from: Inherited,
): Inherited {
  const into: Inherited = {};
  for (const field of fields) {
    const value = own[field];
    const resolved = typeof value === "string" && value !== "" ? value : from[field];
    if (resolved !== undefined) into[field] = resolved;
  }
  return into;
}

function ownValue<T>(record: Record<string, T>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}

function applyAliases(fields: Item, aliasFields: readonly string[], aliases: Aliases): void {
  for (const field of aliasFields) {
    const current = fields[field];
    const byValue = aliases[field];
    // Go reads a missing string field as "", so an alias for "" applies to items without it.
    const attributes =
      byValue === undefined
        ? undefined
        : ownValue(byValue, typeof current === "string" ? current : "");
    if (attributes === undefined) continue;
    for (const attribute in attributes) {
      if (ALIASABLE.has(attribute)) fields[attribute] = attributes[attribute];
    }
  }
}

/**
 * Every item of a product file with its fields resolved the way Juju resolves them:
 * `_aliases` first (an item whose own FIELD equals VALUE gets the alias's fields,
 * overriding), then blank string fields inherited top → product → version collection →
 * item. Numbers (`size`) are never inherited. Items come in document order.
 *
 * Resolved fields are those of every Juju item type at once (agents ignore `region`,
 * images ignore `release`), so an agent item may carry an inherited `region` Juju would
 * not read. Go applies aliases in random map order; here alias fields apply in sorted
 * order, so conflicting aliases resolve deterministically.
 */
export function flattenProducts(doc: Products): FlatItem[] {
  const aliases = doc._aliases ?? {};
  const aliasFields = Object.keys(aliases)
    .filter((field) => ALIASABLE.has(field))
    .sort();
  const top = resolve(doc, TOP_FIELDS, {});
  const flat: FlatItem[] = [];
  for (const productId in doc.products) {
    const product = doc.products[productId] as Products["products"][string];
    const fromProduct = resolve(product, PRODUCT_FIELDS, top);
    for (const versionKey in product.versions) {
      const version = product.versions[versionKey] as (typeof product.versions)[string];
      const fromVersion = resolve(version, VERSION_OWN_FIELDS, fromProduct);
      for (const field of PASSED_THROUGH_VERSION) {
        if (fromProduct[field] !== undefined) fromVersion[field] = fromProduct[field];
      }
      for (const itemKey in version.items) {
        const item = version.items[itemKey] as Item;
        const fields: Item = { ...item };
        if (aliasFields.length > 0) applyAliases(fields, aliasFields, aliases);
        for (const field of PRODUCT_FIELDS) {
          const inherited = fromVersion[field];
          if (inherited !== undefined && (fields[field] === undefined || fields[field] === "")) {
            fields[field] = inherited;
          }
        }
        flat.push({ contentId: doc.content_id, productId, versionKey, itemKey, fields, item });
      }
    }
  }
  return flat;
}
