import { describe, expect, it } from "vitest";
import { RangeNotSatisfiableError } from "./errors.ts";
import type { ByteRange } from "./object-store.ts";
import { resolveRange } from "./range.ts";

const context = { store: "test", key: "k" };

describe("resolveRange", () => {
  it.each<[ByteRange, number, { offset: number; length: number }]>([
    [{ offset: 0 }, 10, { offset: 0, length: 10 }],
    [{ offset: 3, length: 4 }, 10, { offset: 3, length: 4 }],
    [{ offset: 8, length: 100 }, 10, { offset: 8, length: 2 }],
    [{ offset: 9 }, 10, { offset: 9, length: 1 }],
    [{ suffix: 3 }, 10, { offset: 7, length: 3 }],
    [{ suffix: 30 }, 10, { offset: 0, length: 10 }],
  ])("resolves %j of %i bytes to %j", (range, size, expected) => {
    expect(resolveRange(range, size, context)).toEqual(expected);
  });

  it.each<[ByteRange, number]>([
    [{ offset: 10 }, 10],
    [{ offset: 11, length: 1 }, 10],
    [{ suffix: 0 }, 10],
    [{ offset: 0 }, 0],
    [{ suffix: 5 }, 0],
  ])("refuses %j of %i bytes as not satisfiable", (range, size) => {
    let failure: unknown;
    try {
      resolveRange(range, size, context);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(RangeNotSatisfiableError);
    expect((failure as RangeNotSatisfiableError).size).toBe(size);
    expect((failure as Error).message).toContain('[streamgate] [test] get failed for "k"');
  });

  it.each<ByteRange>([{ offset: -1 }, { offset: 1.5 }, { offset: 0, length: 0 }, { suffix: -2 }])(
    "treats %j as a caller bug",
    (range) => {
      expect(() => resolveRange(range, 10, context)).toThrow(TypeError);
    },
  );
});
