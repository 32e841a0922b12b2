import { describe, expect, it } from "vitest";
import { isNotModified, matchesIfNoneMatch, rangeStillValid } from "./conditional.ts";

const MODIFIED = new Date("2026-11-23T18:00:00.500Z");

describe("matchesIfNoneMatch", () => {
  it("matches the quoted etag, weak or strong, alone or in a list", () => {
    expect(matchesIfNoneMatch('"abc"', "abc")).toBe(true);
    expect(matchesIfNoneMatch('W/"abc"', "abc")).toBe(true);
    expect(matchesIfNoneMatch('"x", "abc" ,"y"', "abc")).toBe(true);
    expect(matchesIfNoneMatch(" * ", "abc")).toBe(true);
  });

  it("does not match other or unquoted tags", () => {
    expect(matchesIfNoneMatch('"abcd"', "abc")).toBe(false);
    expect(matchesIfNoneMatch("abc", "abc")).toBe(false);
    expect(matchesIfNoneMatch('"x", "y"', "abc")).toBe(false);
  });
});

describe("isNotModified", () => {
  const headers = (init: Record<string, string>) => new Headers(init);

  it("is false without conditional headers", () => {
    expect(isNotModified(headers({}), "abc", MODIFIED)).toBe(false);
  });

  it("uses If-Modified-Since with one-second resolution", () => {
    const since = "Mon, 23 Nov 2026 18:00:00 GMT";
    expect(isNotModified(headers({ "if-modified-since": since }), "abc", MODIFIED)).toBe(true);
    const before = "Mon, 23 Nov 2026 17:59:59 GMT";
    expect(isNotModified(headers({ "if-modified-since": before }), "abc", MODIFIED)).toBe(false);
  });

  it("ignores an unparsable If-Modified-Since", () => {
    expect(isNotModified(headers({ "if-modified-since": "yesterday" }), "abc", MODIFIED)).toBe(
      false,
    );
  });

  it("lets If-None-Match decide when both are sent", () => {
    const since = "Mon, 23 Nov 2026 18:00:00 GMT";
    const both = headers({ "if-modified-since": since, "if-none-match": '"other"' });
    expect(isNotModified(both, "abc", MODIFIED)).toBe(false);
  });
});

describe("rangeStillValid", () => {
  it("holds without If-Range", () => {
    expect(rangeStillValid(null, "abc", MODIFIED)).toBe(true);
  });

  it("needs a strong etag match", () => {
    expect(rangeStillValid('"abc"', "abc", MODIFIED)).toBe(true);
    expect(rangeStillValid('"old"', "abc", MODIFIED)).toBe(false);
    expect(rangeStillValid('W/"abc"', "abc", MODIFIED)).toBe(false);
  });

  it("needs a date equal to Last-Modified", () => {
    expect(rangeStillValid("Mon, 23 Nov 2026 18:00:00 GMT", "abc", MODIFIED)).toBe(true);
    expect(rangeStillValid("Mon, 23 Nov 2026 18:00:01 GMT", "abc", MODIFIED)).toBe(false);
    expect(rangeStillValid("not a date", "abc", MODIFIED)).toBe(false);
  });
});
