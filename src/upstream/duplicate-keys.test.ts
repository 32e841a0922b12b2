import { describe, expect, it } from "vitest";
import { findDuplicateKey } from "./duplicate-keys.ts";

describe("findDuplicateKey", () => {
  it("finds nothing in a document whose objects all have distinct keys", () => {
    const text = JSON.stringify({
      a: 1,
      b: { a: 2, c: ["a", "a", { a: 3 }] },
      items: [{ sha256: "x" }, { sha256: "y" }],
    });
    expect(findDuplicateKey(text)).toBeUndefined();
  });

  it("names a key repeated deep inside, with its object's path and position", () => {
    const text =
      '{\n "products": {\n  "p:1": {"items": [{"sha256": "aa",\n   "sha256": "bb"}]}\n }\n}';
    expect(findDuplicateKey(text)).toEqual({
      key: "sha256",
      path: '$.products["p:1"].items[0]',
      offset: text.lastIndexOf('"sha256"'),
      line: 4,
      column: 4,
    });
  });

  it("sees through escapes that spell the same key", () => {
    expect(findDuplicateKey('{"size": 1, "\\u0073ize": 2}')).toMatchObject({ key: "size" });
  });

  it("is not fooled by keys inside string values or by quotes escaped in strings", () => {
    expect(findDuplicateKey('{"a": "\\"a\\": 1, {", "b": "a"}')).toBeUndefined();
    expect(findDuplicateKey('{"a\\"": 1, "a": 2}')).toBeUndefined();
  });

  it("counts array positions in the path", () => {
    expect(findDuplicateKey('[[1], [2, {"k": 1, "k": 2}]]')?.path).toBe("$[1][1]");
  });

  it("scans 100 000 nested levels without overflowing the stack", () => {
    const depth = 100_000;
    const deep = `${'{"a":'.repeat(depth)}1${"}".repeat(depth)}`;
    expect(findDuplicateKey(deep)).toBeUndefined();
    const repeated = `${'{"a":'.repeat(depth)}{"b": 1, "b": 2}${"}".repeat(depth)}`;
    const found = findDuplicateKey(repeated);
    expect(found?.key).toBe("b");
    expect(found?.path).toBe("$.a.a.a.a.a.a…(99988 more levels)….a.a.a.a.a.a");
  });
});
