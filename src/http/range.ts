import type { ByteRange } from "../store/object-store.ts";

/**
 * Reads a `Range` header (RFC 9110 §14.2). Only a single `bytes` range is honoured:
 * `bytes=0-99`, `bytes=100-` (open-ended) and `bytes=-500` (suffix). Several ranges,
 * another unit or anything malformed (including last < first) give `undefined`, which the
 * caller answers with the whole body: RFC 9110 lets a server ignore `Range`, and a
 * multipart/byteranges body is something no client of a simplestreams mirror needs.
 */
export function parseRange(header: string | null): ByteRange | undefined {
  if (header === null) return undefined;
  const match = /^\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*$/i.exec(header);
  if (match === null) return undefined;
  const [, first = "", last = ""] = match;
  if (first === "") {
    if (last === "") return undefined;
    const suffix = Number(last);
    return Number.isSafeInteger(suffix) ? { suffix } : undefined;
  }
  const offset = Number(first);
  if (!Number.isSafeInteger(offset)) return undefined;
  if (last === "") return { offset };
  const end = Number(last);
  if (!Number.isSafeInteger(end) || end < offset) return undefined;
  return { offset, length: end - offset + 1 };
}
