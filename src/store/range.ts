import { RangeNotSatisfiableError } from "./errors.ts";
import type { ByteRange } from "./object-store.ts";

/** The bytes a range selects in an object of a known size. */
export interface ResolvedRange {
  offset: number;
  length: number;
}

export interface ResolveRangeContext {
  store: string;
  key: string;
}

function assertCount(value: number, name: string, minimum: number): void {
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new TypeError(
      `[streamgate] Expected range \`${name}\` to be an integer from ${minimum} and up, got ${value}`,
    );
  }
}

/**
 * Turns a `ByteRange` into the offset and length an adapter reads, with the semantics of
 * RFC 9110 §14.1.2: a length past the end is cut at the end, a suffix longer than the
 * object selects all of it, and a range selecting no byte (an offset at or past the end,
 * a zero suffix, any range of an empty object) throws `RangeNotSatisfiableError`.
 * Negative or fractional numbers are a caller bug and throw `TypeError`.
 */
export function resolveRange(
  range: ByteRange,
  size: number,
  context: ResolveRangeContext,
): ResolvedRange {
  const unsatisfiable = () => new RangeNotSatisfiableError(size, { ...context, operation: "get" });
  if ("suffix" in range) {
    assertCount(range.suffix, "suffix", 0);
    if (range.suffix === 0 || size === 0) throw unsatisfiable();
    const length = Math.min(range.suffix, size);
    return { offset: size - length, length };
  }
  assertCount(range.offset, "offset", 0);
  if (range.length !== undefined) assertCount(range.length, "length", 1);
  if (range.offset >= size) throw unsatisfiable();
  const rest = size - range.offset;
  return { offset: range.offset, length: Math.min(range.length ?? rest, rest) };
}
