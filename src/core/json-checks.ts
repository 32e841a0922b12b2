/**
 * Building blocks of the document walkers (internal): JSON paths built only as deep as the
 * walk goes, and field checks with the strictness of Go's encoding/json, which is what
 * Juju decodes simplestreams with.
 */

import { ParseError } from "./parse-error.ts";

/** One step of the path being walked. */
export interface PathStep {
  readonly up: PathStep | undefined;
  readonly name: string | number;
  /** A key of a map (`products`, `versions`, `items`…) rather than a schema field. */
  readonly isMapKey: boolean;
}

export function fieldStep(up: PathStep | undefined, name: string | number): PathStep {
  return { up, name, isMapKey: false };
}

export function keyStep(up: PathStep | undefined, name: string): PathStep {
  return { up, name, isMapKey: true };
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `products["p"].versions["v"].items["i"].size`; `$` for the document itself. */
export function formatPath(at: PathStep | undefined): string {
  if (at === undefined) return "$";
  const parts: string[] = [];
  for (let step: PathStep | undefined = at; step !== undefined; step = step.up) {
    const { name } = step;
    if (typeof name === "number") parts.push(`[${name}]`);
    else if (step.isMapKey || !IDENTIFIER.test(name)) parts.push(`[${JSON.stringify(name)}]`);
    else parts.push(step.up === undefined ? name : `.${name}`);
  }
  return parts.reverse().join("");
}

export function fail(document: string, at: PathStep | undefined, reason: string): never {
  throw new ParseError(reason, { document, path: formatPath(at) });
}

/** A short description of a JSON value for error messages. */
export function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "string") {
    return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  }
  return typeof value;
}

export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function expectObject(
  value: unknown,
  document: string,
  at: PathStep | undefined,
): JsonObject {
  if (isJsonObject(value)) return value;
  return fail(
    document,
    at,
    value === undefined
      ? "missing, expected object"
      : `expected object, got ${describeValue(value)}`,
  );
}

export function expectString(value: unknown, document: string, at: PathStep): string {
  if (typeof value === "string") return value;
  return fail(
    document,
    at,
    value === undefined
      ? "missing, expected string"
      : `expected string, got ${describeValue(value)}`,
  );
}

/**
 * `size` values written as `1.0` or `1e3`: JSON.parse turns them into integers, but Go's
 * decoder refuses them for an int64 field. `parseJsonDocument` records the objects that
 * hold one so the walker can refuse them like Juju does.
 */
export const sizeWrittenAsNonInteger = new WeakSet<object>();

/** How Go decodes a struct field: `other` fields (maps, arrays) are checked by the walker. */
export type FieldKind = "string" | "integer" | "other";

// Go's encoding/json also matches keys to fields case-insensitively, with Unicode simple
// folding: U+017F (ſ) folds to "s" and U+212A (Kelvin sign) to "k".
const FOLDABLE = /[A-Z\u017f\u212a]/;

function foldKey(key: string): string {
  return key.toLowerCase().replaceAll("\u017f", "s");
}

/**
 * Checks the type of every present field of `object` that `fields` knows. A key that only
 * differs in case from a known field is refused: Go would decode it into that field, so
 * Juju and we would read different values.
 */
export function checkFields(
  object: JsonObject,
  fields: ReadonlyMap<string, FieldKind>,
  document: string,
  at: PathStep | undefined,
): void {
  for (const key in object) {
    const kind = fields.get(key);
    if (kind === undefined) {
      if (FOLDABLE.test(key)) {
        const folded = foldKey(key);
        if (fields.has(folded)) {
          fail(
            document,
            fieldStep(at, key),
            `differs from ${JSON.stringify(folded)} only in case; Juju would read it as ${JSON.stringify(folded)}`,
          );
        }
      }
      continue;
    }
    const value = object[key];
    // Absent, as JSON.stringify and renderJson treat it (builders may leave fields undefined).
    if (kind === "other" || value === undefined) continue;
    if (kind === "string") {
      if (typeof value !== "string") {
        fail(document, fieldStep(at, key), `expected string, got ${describeValue(value)}`);
      }
      continue;
    }
    if (typeof value !== "number" || !Number.isInteger(value)) {
      fail(document, fieldStep(at, key), `expected integer, got ${describeValue(value)}`);
    }
    if (sizeWrittenAsNonInteger.has(object)) {
      fail(
        document,
        fieldStep(at, key),
        "expected integer, got a number with a fraction or exponent",
      );
    }
    if (value < 0) fail(document, fieldStep(at, key), `expected integer >= 0, got ${value}`);
    if (!Number.isSafeInteger(value)) {
      fail(document, fieldStep(at, key), `integer ${value} is too large to be exact`);
    }
  }
}
