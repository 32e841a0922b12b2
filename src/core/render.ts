import { parseIndex } from "./parse-index.ts";
import { parseProducts } from "./parse-products.ts";
import type { Index, Products } from "./types.ts";

// Deeper than any simplestreams document; stops runaway recursion on odd extra fields.
const MAX_DEPTH = 512;
// Python's ensure_ascii escapes everything outside printable ASCII; JSON.stringify has
// already escaped control characters and lone surrogates the same way.
const NON_ASCII = /[\u007f-\uffff]/;
const NON_ASCII_ALL = /[\u007f-\uffff]/g;

function escapeNonAscii(char: string): string {
  return `\\u${char.charCodeAt(0).toString(16).padStart(4, "0")}`;
}

function quote(text: string): string {
  const json = JSON.stringify(text);
  return NON_ASCII.test(json) ? json.replace(NON_ASCII_ALL, escapeNonAscii) : json;
}

// Python sorts str keys by code point; JS compares UTF-16 units, which disagrees only
// when astral characters (surrogates) meet U+E000–U+FFFF. Remap so units sort like code points.
function codePointOrder(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit <= 0xdfff ? unit + 0x2000 : unit - 0x800;
}

function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return codePointOrder(x) - codePointOrder(y);
  }
  return a.length - b.length;
}

function isPlainObject(value: object): boolean {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

function render(value: unknown, indent: string, depth: number): string {
  switch (typeof value) {
    case "string":
      return quote(value);
    case "boolean":
      return value ? "true" : "false";
    case "number":
      if (!Number.isFinite(value)) throw renderError(`cannot render the number ${value}`);
      return JSON.stringify(value);
    case "object": {
      if (value === null) return "null";
      if (depth > MAX_DEPTH) throw renderError(`value nested deeper than ${MAX_DEPTH} levels`);
      const inner = `${indent} `;
      if (Array.isArray(value)) {
        if (value.length === 0) return "[]";
        let out = "[";
        for (let i = 0; i < value.length; i++) {
          out += `${i === 0 ? "\n" : ",\n"}${inner}${render(value[i], inner, depth + 1)}`;
        }
        return `${out}\n${indent}]`;
      }
      if (!isPlainObject(value)) throw renderError("cannot render a non-plain object");
      const record = value as Record<string, unknown>;
      let out = "{";
      let first = true;
      for (const key of Object.keys(record).sort(compareKeys)) {
        const field = record[key];
        if (field === undefined) continue;
        out += `${first ? "\n" : ",\n"}${inner}${quote(key)}: ${render(field, inner, depth + 1)}`;
        first = false;
      }
      return first ? "{}" : `${out}\n${indent}}`;
    }
    default:
      throw renderError(`cannot render a value of type ${typeof value}`);
  }
}

function renderError(message: string): TypeError {
  return new TypeError(`[streamgate] [core] ${message}`);
}

/**
 * JSON the way Canonical's simplestreams tools write it — Python's
 * `json.dumps(value, indent=1, sort_keys=True)` (separators `,` and `: `, non-ASCII
 * escaped as `\uXXXX`) plus a trailing newline — so unchanged metadata re-renders
 * byte-identical. Object properties that are `undefined` are left out. Integers render as
 * Python does; a non-integer number renders as JavaScript spells it (Python may differ).
 */
export function renderJson(value: unknown): string {
  return `${render(value, "", 0)}\n`;
}

/** Validates (see `parseIndex`) and renders an index: we never publish what we would refuse. */
export function renderIndex(doc: Index): string {
  return renderJson(parseIndex(doc));
}

/** Validates (see `parseProducts`) and renders a product file. */
export function renderProducts(doc: Products): string {
  return renderJson(parseProducts(doc));
}
