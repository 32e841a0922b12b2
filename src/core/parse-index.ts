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
import { INDEX_FORMAT, type Index } from "./types.ts";

const DOCUMENT = INDEX_FORMAT;

// Field types of Juju's Go structs `Indices`, `IndexMetadata` and `CloudSpec`
// (juju/juju environs/simplestreams/simplestreams.go).
const INDEX_FIELDS: ReadonlyMap<string, FieldKind> = new Map([
  ["index", "other"],
  ["updated", "string"],
  ["format", "string"],
]);
const ENTRY_FIELDS: ReadonlyMap<string, FieldKind> = new Map([
  ["updated", "string"],
  ["format", "string"],
  ["datatype", "string"],
  ["cloudname", "string"],
  ["clouds", "other"],
  ["path", "string"],
  ["products", "other"],
]);
const CLOUD_FIELDS: ReadonlyMap<string, FieldKind> = new Map([
  ["region", "string"],
  ["endpoint", "string"],
]);

/**
 * Validates an `index:1.0` document (already JSON-parsed, see `parseJsonDocument`) and
 * returns the same object, typed. Throws `ParseError` naming the JSON path of the first
 * problem. Unknown fields are kept.
 *
 * Stricter than Juju where Juju would silently read a broken document: `datatype`, `path`
 * and `products` are required, `null` is refused where a string, object or array is
 * expected, and every `path` must pass `checkRelativePath`.
 */
export function parseIndex(value: unknown): Index {
  const root = expectObject(value, DOCUMENT, undefined);
  checkFields(root, INDEX_FIELDS, DOCUMENT, undefined);
  if (root.format !== INDEX_FORMAT) {
    fail(
      DOCUMENT,
      fieldStep(undefined, "format"),
      `expected ${JSON.stringify(INDEX_FORMAT)}, got ${describeValue(root.format)}`,
    );
  }
  const indexAt = fieldStep(undefined, "index");
  const entries = expectObject(root.index, DOCUMENT, indexAt);
  for (const contentId in entries) {
    parseEntry(entries[contentId], keyStep(indexAt, contentId));
  }
  return root as Index;
}

function parseEntry(value: unknown, at: PathStep): void {
  const entry = expectObject(value, DOCUMENT, at);
  checkFields(entry, ENTRY_FIELDS, DOCUMENT, at);
  expectString(entry.datatype, DOCUMENT, fieldStep(at, "datatype"));
  const pathAt = fieldStep(at, "path");
  const unsafe = checkRelativePath(expectString(entry.path, DOCUMENT, pathAt));
  if (unsafe !== undefined) fail(DOCUMENT, pathAt, unsafe);

  const productsAt = fieldStep(at, "products");
  if (!Array.isArray(entry.products)) {
    fail(
      DOCUMENT,
      productsAt,
      entry.products === undefined
        ? "missing, expected array"
        : `expected array, got ${describeValue(entry.products)}`,
    );
  }
  entry.products.forEach((productId: unknown, i: number) => {
    expectString(productId, DOCUMENT, fieldStep(productsAt, i));
  });

  if (entry.clouds === undefined) return;
  const cloudsAt = fieldStep(at, "clouds");
  if (!Array.isArray(entry.clouds)) {
    fail(DOCUMENT, cloudsAt, `expected array, got ${describeValue(entry.clouds)}`);
  }
  entry.clouds.forEach((cloudValue: unknown, i: number) => {
    const cloudAt = fieldStep(cloudsAt, i);
    const cloud = expectObject(cloudValue, DOCUMENT, cloudAt);
    checkFields(cloud, CLOUD_FIELDS, DOCUMENT, cloudAt);
    expectString(cloud.region, DOCUMENT, fieldStep(cloudAt, "region"));
    expectString(cloud.endpoint, DOCUMENT, fieldStep(cloudAt, "endpoint"));
  });
}
