import {
  checkFields,
  describeValue,
  expectObject,
  expectString,
  type FieldKind,
  fail,
  fieldStep,
  keyStep,
  type PathStep,
} from "./json-checks.ts";
import { checkRelativePath } from "./relative-path.ts";
import { PRODUCTS_FORMAT, type Products } from "./types.ts";

const DOCUMENT = PRODUCTS_FORMAT;

// Field types of Juju's Go structs (juju/juju environs/simplestreams): `CloudMetadata`
// (plus `datatype`, which Canonical and we write), `MetadataCatalog`, the `itemCollection`
// that json.go decodes version collections with (it reads no `root_store`/`virt`), and
// the union of the item structs `ToolsMetadata` and `ImageMetadata` (plus `md5`).
const TOP_FIELDS: ReadonlyMap<string, FieldKind> = new Map([
  ["products", "other"],
  ["_aliases", "other"],
  ["updated", "string"],
  ["format", "string"],
  ["content_id", "string"],
  ["datatype", "string"],
  ["region", "string"],
  ["endpoint", "string"],
  ["root_store", "string"],
  ["virt", "string"],
]);
const PRODUCT_FIELDS: ReadonlyMap<string, FieldKind> = new Map([
  ["versions", "other"],
  ["release", "string"],
  ["version", "string"],
  ["arch", "string"],
  ["region", "string"],
  ["endpoint", "string"],
  ["root_store", "string"],
  ["virt", "string"],
]);
const VERSION_FIELDS: ReadonlyMap<string, FieldKind> = new Map([
  ["items", "other"],
  ["arch", "string"],
  ["version", "string"],
  ["release", "string"],
  ["region", "string"],
  ["endpoint", "string"],
]);
const ITEM_FIELDS: ReadonlyMap<string, FieldKind> = new Map([
  ["size", "integer"],
  ["release", "string"],
  ["version", "string"],
  ["arch", "string"],
  ["path", "string"],
  ["ftype", "string"],
  ["sha256", "string"],
  ["md5", "string"],
  ["id", "string"],
  ["root_store", "string"],
  ["virt", "string"],
  ["crsn", "string"],
  ["region", "string"],
  ["endpoint", "string"],
]);

/**
 * Validates a `products:1.0` document (already JSON-parsed, see `parseJsonDocument`) and
 * returns the same object, typed. Throws `ParseError` naming the JSON path of the first
 * problem. Unknown fields are kept.
 *
 * Every item is checked, as Juju decodes every item before filtering: one `"size": "123"`
 * anywhere fails the whole file. Stricter than Juju where Juju would silently read a
 * broken document: `versions` and `items` are required, `null` is refused where a string
 * or object is expected, `size` must be a non-negative safe integer, item `path`s must pass
 * `checkRelativePath`, and a key differing only in case from a known field is refused.
 */
export function parseProducts(value: unknown): Products {
  const root = expectObject(value, DOCUMENT, undefined);
  checkFields(root, TOP_FIELDS, DOCUMENT, undefined);
  if (root.format !== PRODUCTS_FORMAT) {
    fail(
      DOCUMENT,
      fieldStep(undefined, "format"),
      `expected ${JSON.stringify(PRODUCTS_FORMAT)}, got ${describeValue(root.format)}`,
    );
  }
  if (root._aliases !== undefined) parseAliases(root._aliases);

  const productsAt = fieldStep(undefined, "products");
  const products = expectObject(root.products, DOCUMENT, productsAt);
  for (const productId in products) {
    const productAt = keyStep(productsAt, productId);
    const product = expectObject(products[productId], DOCUMENT, productAt);
    checkFields(product, PRODUCT_FIELDS, DOCUMENT, productAt);
    const versionsAt = fieldStep(productAt, "versions");
    const versions = expectObject(product.versions, DOCUMENT, versionsAt);
    for (const versionKey in versions) {
      parseVersion(versions[versionKey], keyStep(versionsAt, versionKey));
    }
  }
  return root as Products;
}

function parseVersion(value: unknown, at: PathStep): void {
  const version = expectObject(value, DOCUMENT, at);
  checkFields(version, VERSION_FIELDS, DOCUMENT, at);
  const itemsAt = fieldStep(at, "items");
  const items = expectObject(version.items, DOCUMENT, itemsAt);
  for (const itemKey in items) {
    const itemAt = keyStep(itemsAt, itemKey);
    const item = expectObject(items[itemKey], DOCUMENT, itemAt);
    checkFields(item, ITEM_FIELDS, DOCUMENT, itemAt);
    if (item.path !== undefined) {
      const unsafe = checkRelativePath(item.path as string);
      if (unsafe !== undefined) fail(DOCUMENT, fieldStep(itemAt, "path"), unsafe);
    }
  }
}

// Go type: map[string]map[string]map[string]string.
function parseAliases(value: unknown): void {
  const aliasesAt = fieldStep(undefined, "_aliases");
  const aliases = expectObject(value, DOCUMENT, aliasesAt);
  for (const field in aliases) {
    const fieldAt = keyStep(aliasesAt, field);
    const byValue = expectObject(aliases[field], DOCUMENT, fieldAt);
    for (const fieldValue in byValue) {
      const valueAt = keyStep(fieldAt, fieldValue);
      const attributes = expectObject(byValue[fieldValue], DOCUMENT, valueAt);
      for (const attribute in attributes) {
        expectString(attributes[attribute], DOCUMENT, keyStep(valueAt, attribute));
      }
    }
  }
}
