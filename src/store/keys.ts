import { InvalidKeyError } from "./errors.ts";

/**
 * Keys under this prefix hold streamgate's own files (locks, job state, reports). They
 * are valid keys for every store but are never served and are left out of `list("")`.
 */
export const INTERNAL_PREFIX = ".streamgate/";

/** S3 and R2 refuse longer keys; enforced everywhere so every adapter accepts the same set. */
export const MAX_KEY_BYTES = 1024;

/** The usual filesystem limit for one path segment (NAME_MAX), so the fs store fits too. */
export const MAX_SEGMENT_BYTES = 255;

export interface KeyValidationOptions {
  /**
   * Accept keys under {@link INTERNAL_PREFIX}. Default `true`: stores must accept them.
   * Pass `false` at an edge that must never reach streamgate's own files (the HTTP layer).
   */
  allowInternal?: boolean;
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
const CONTROL = /[\u0000-\u001f\u007f]/;

const encoder = new TextEncoder();

/**
 * Whether `text` takes more than `limit` bytes of UTF-8. A UTF-16 code unit is at most 3
 * bytes, so short text (every key a request names, in practice) skips the encoding: this
 * runs on every request served.
 */
function longerThan(text: string, limit: number): boolean {
  return text.length * 3 > limit && encoder.encode(text).byteLength > limit;
}

/** Why `key` is not a valid object key, or `undefined` when it is. */
function keyProblem(key: string, allowInternal: boolean): string | undefined {
  if (key === "") return "it is empty";
  if (key.startsWith("/")) return "it starts with `/` (keys are relative)";
  if (key.includes("\\")) return "it contains a backslash";
  if (key.includes("\0")) return "it contains a NUL byte";
  if (CONTROL.test(key)) return "it contains a control character";
  if (longerThan(key, MAX_KEY_BYTES)) {
    return `it is longer than ${MAX_KEY_BYTES} bytes`;
  }
  const internal = key.startsWith(INTERNAL_PREFIX);
  if (internal && !allowInternal) return `\`${INTERNAL_PREFIX}\` keys are internal`;
  const segments = key.split("/");
  for (const [index, segment] of segments.entries()) {
    if (segment === "") return "it has an empty path segment";
    if (segment === "." || segment === "..") return `it has a \`${segment}\` segment`;
    if (segment.startsWith(".") && !(internal && index === 0)) {
      return `segment ${JSON.stringify(segment)} starts with \`.\``;
    }
    if (longerThan(segment, MAX_SEGMENT_BYTES)) {
      return `a segment is longer than ${MAX_SEGMENT_BYTES} bytes`;
    }
  }
  return undefined;
}

/**
 * Throws `InvalidKeyError` unless `key` is a safe relative object path: `/`-separated,
 * no empty, `.` or `..` segment, no backslash, NUL or control character, no segment
 * starting with `.` (except the leading `.streamgate` of internal keys), at most 1024
 * bytes of UTF-8 and 255 per segment. Every adapter calls it before touching its backend.
 */
export function assertValidKey(key: string, options: KeyValidationOptions = {}): void {
  const problem = keyProblem(key, options.allowInternal ?? true);
  if (problem !== undefined) throw new InvalidKeyError(key, problem);
}

/** `assertValidKey` as a predicate, for filtering names found in a backend. */
export function isValidKey(key: string, options: KeyValidationOptions = {}): boolean {
  return keyProblem(key, options.allowInternal ?? true) === undefined;
}

/**
 * Throws `InvalidKeyError` unless `prefix` can start a valid key: `""`, a valid key, or a
 * valid key followed by `/`. A trailing partial segment is checked like a whole one, so
 * `juju/.g` is refused (no key can match it) while `juju/tools/agent/3.` is fine.
 */
export function assertValidPrefix(prefix: string): void {
  if (prefix === "") return;
  // After a `/`, check the shortest key that could follow: the prefix itself is not one.
  const problem = keyProblem(prefix.endsWith("/") ? `${prefix}x` : prefix, true);
  if (problem !== undefined) throw new InvalidKeyError(prefix, `invalid prefix: ${problem}`);
}

/**
 * Whether `key` addresses streamgate's internal files. Given a list prefix, whether
 * `list(prefix)` includes internal keys: only when the prefix is itself internal, so
 * `list("")` never shows them.
 */
export function isInternalKey(key: string): boolean {
  return key.startsWith(INTERNAL_PREFIX);
}

/**
 * Orders keys by Unicode code point, which is the UTF-8 byte order S3 and R2 list in
 * (plain `<` compares UTF-16 code units and puts astral characters before U+E000–U+FFFF).
 */
export function compareKeys(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let index = 0; index < length; index++) {
    const x = a.charCodeAt(index);
    const y = b.charCodeAt(index);
    if (x === y) continue;
    // Surrogates (U+D800–U+DFFF) encode code points above U+FFFF: lift them above the BMP.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs !== ys) return xs ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
