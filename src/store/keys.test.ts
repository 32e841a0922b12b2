import { describe, expect, it } from "vitest";
import { InvalidKeyError } from "./errors.ts";
import {
  assertValidKey,
  assertValidPrefix,
  compareKeys,
  INTERNAL_PREFIX,
  isInternalKey,
  isValidKey,
} from "./keys.ts";

function problemOf(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(InvalidKeyError);
    return (error as Error).message;
  }
}

describe("assertValidKey", () => {
  it.each([
    "juju/tools/streams/v1/index2.sjson",
    "juju/tools/agent/3.5.4/juju-3.5.4-ubuntu-amd64.tgz",
    "keys/images.asc",
    "a",
    "with space/ünïcödé/😀",
    "dots.in.names/v1..2",
    ".streamgate/state/agents.json",
    ".streamgate/lock/agents",
  ])("accepts %j", (key) => {
    expect(() => assertValidKey(key)).not.toThrow();
    expect(isValidKey(key)).toBe(true);
  });

  it.each([
    ["", "empty"],
    ["/etc/passwd", "starts with `/`"],
    ["..", "`..` segment"],
    ["../x", "`..` segment"],
    ["a/../../x", "`..` segment"],
    ["a/./b", "`.` segment"],
    [".", "`.` segment"],
    ["a//b", "empty path segment"],
    ["a/", "empty path segment"],
    ["a\\b", "backslash"],
    ["..\\x", "backslash"],
    ["a\0b", "NUL"],
    ["a\nb", "control character"],
    ["a\u007fb", "control character"],
    [".hidden/x", 'segment ".hidden"'],
    ["a/.git/config", 'segment ".git"'],
    [".streamgate", 'segment ".streamgate"'],
    [".streamgate/", "empty path segment"],
    [".streamgate/.x", 'segment ".x"'],
    [".streamgateX/y", 'segment ".streamgateX"'],
    [`${"a".repeat(1025)}`, "longer than 1024 bytes"],
    [`${"é".repeat(513)}`, "longer than 1024 bytes"],
    [`${"a".repeat(256)}/b`, "longer than 255 bytes"],
    [`${"ｚ".repeat(86)}/b`, "longer than 255 bytes"],
  ])("refuses %j (%s)", (key, reason) => {
    expect(problemOf(() => assertValidKey(key))).toContain(reason);
    expect(isValidKey(key)).toBe(false);
  });

  it("accepts a key of exactly 1024 bytes", () => {
    const key = `${"a".repeat(200)}/`.repeat(5).padEnd(1024, "b");
    expect(new TextEncoder().encode(key).byteLength).toBe(1024);
    expect(() => assertValidKey(key)).not.toThrow();
  });

  it("accepts segments of exactly 255 bytes, in 1-, 2- and 3-byte characters", () => {
    for (const segment of ["a".repeat(255), `${"é".repeat(127)}a`, "ｚ".repeat(85)]) {
      expect(new TextEncoder().encode(segment).byteLength).toBe(255);
      expect(() => assertValidKey(`x/${segment}`)).not.toThrow();
    }
  });

  it("refuses internal keys when the edge asks it to", () => {
    expect(
      problemOf(() => assertValidKey(".streamgate/state/x", { allowInternal: false })),
    ).toContain("internal");
    expect(isValidKey(".streamgate/state/x", { allowInternal: false })).toBe(false);
  });

  it("names the key in the error", () => {
    expect(problemOf(() => assertValidKey("a/../b"))).toContain('"a/../b"');
  });
});

describe("assertValidPrefix", () => {
  it.each(["", "juju/", "juju/tools/agent/3.", "j", ".streamgate/", ".streamgate/st"])(
    "accepts %j",
    (prefix) => {
      expect(() => assertValidPrefix(prefix)).not.toThrow();
    },
  );

  it.each(["/", "../", "a//", "a/../", ".git/", "juju/.g", ".streamgate", "a\\"])(
    "refuses %j",
    (prefix) => {
      expect(problemOf(() => assertValidPrefix(prefix))).toContain("invalid prefix");
    },
  );
});

describe("isInternalKey", () => {
  it("is true only under the internal prefix", () => {
    expect(INTERNAL_PREFIX).toBe(".streamgate/");
    expect(isInternalKey(".streamgate/lock/agents")).toBe(true);
    expect(isInternalKey(".streamgate/")).toBe(true);
    expect(isInternalKey("juju/.streamgate/x")).toBe(false);
    expect(isInternalKey(".streamgate")).toBe(false);
    expect(isInternalKey("")).toBe(false);
  });
});

describe("compareKeys", () => {
  it("orders by code point, which is UTF-8 byte order", () => {
    const keys = ["b", "a/b", "a-b", "a", "ｚ", "😀", "é", "Z", "a0"];
    const sorted = [...keys].sort(compareKeys);
    expect(sorted).toEqual(["Z", "a", "a-b", "a/b", "a0", "b", "é", "ｚ", "😀"]);
    const utf8 = [...keys].sort((x, y) =>
      Buffer.compare(Buffer.from(x, "utf8"), Buffer.from(y, "utf8")),
    );
    expect(sorted).toEqual(utf8);
  });

  it("puts a key before the longer keys it starts", () => {
    expect(compareKeys("ab", "abc")).toBeLessThan(0);
    expect(compareKeys("abc", "ab")).toBeGreaterThan(0);
    expect(compareKeys("same", "same")).toBe(0);
  });
});
