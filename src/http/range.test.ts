import { describe, expect, it } from "vitest";
import { parseRange } from "./range.ts";

describe("parseRange", () => {
  it("reads a closed range as offset and length", () => {
    expect(parseRange("bytes=100-199")).toEqual({ offset: 100, length: 100 });
    expect(parseRange("bytes=0-0")).toEqual({ offset: 0, length: 1 });
  });

  it("reads an open-ended range", () => {
    expect(parseRange("bytes=70000-")).toEqual({ offset: 70000 });
  });

  it("reads a suffix range", () => {
    expect(parseRange("bytes=-500")).toEqual({ suffix: 500 });
    expect(parseRange("bytes=-0")).toEqual({ suffix: 0 });
  });

  it("accepts the unit in any case and optional whitespace", () => {
    expect(parseRange(" Bytes = 1 - 2 ")).toEqual({ offset: 1, length: 2 });
  });

  it.each([
    [null],
    ["bytes=0-9,20-29"],
    ["bytes=9-0"],
    ["bytes=-"],
    ["bytes="],
    ["items=0-9"],
    ["bytes=abc"],
    ["bytes=1.5-2"],
    ["bytes=99999999999999999999-"],
  ])("ignores %s", (header) => {
    expect(parseRange(header)).toBeUndefined();
  });
});
