import { describe, expect, it } from "vitest";
import { UpstreamError } from "./errors.ts";
import { joinUpstreamUrl, parseUpstreamBase, redactUrl } from "./upstream-url.ts";

describe("parseUpstreamBase", () => {
  it.each([
    ["https://streams.canonical.com/juju/tools", "https://streams.canonical.com/juju/tools"],
    ["https://streams.canonical.com/juju/tools///", "https://streams.canonical.com/juju/tools"],
    ["http://mirror.internal:8080/juju/tools/", "http://mirror.internal:8080/juju/tools"],
    ["file:///srv/mirror/juju/tools", "file:///srv/mirror/juju/tools"],
  ])("accepts %s", (base, expected) => {
    expect(parseUpstreamBase(base)).toBe(expected);
  });

  it.each([
    ["streams.canonical.com/juju/tools", /http\(s\):\/\/ or file:\/\/ URL/],
    ["ftp://mirror/juju/tools", /the ftp: URL/],
    ["https://mirror/juju/tools?token=1", /without a query or fragment/],
    ["https://mirror/juju/tools#x", /without a query or fragment/],
  ])("refuses %s", (base, message) => {
    expect(() => parseUpstreamBase(base)).toThrow(TypeError);
    expect(() => parseUpstreamBase(base)).toThrow(message);
  });

  it("never repeats a password in its message", () => {
    expect(() => parseUpstreamBase("ftp://user:hunter2@mirror/tools")).toThrow(/user:\*\*\*@/);
    expect(() => parseUpstreamBase("ftp://user:hunter2@mirror/tools")).not.toThrow(/hunter2/);
  });
});

describe("joinUpstreamUrl", () => {
  it("joins like Juju, without normalising", () => {
    expect(joinUpstreamUrl("https://h/juju/tools", "streams/v1/index2.sjson")).toBe(
      "https://h/juju/tools/streams/v1/index2.sjson",
    );
  });

  it.each(["../x", "/x", "a/%2e%2e/b", "a//b", ".hidden/x", "a\\b", "a?b"])(
    "refuses %j with reason path",
    (path) => {
      let error: unknown;
      try {
        joinUpstreamUrl("https://h/juju/tools", path, "product path");
      } catch (caught) {
        error = caught;
      }
      expect(error).toBeInstanceOf(UpstreamError);
      expect(error).toMatchObject({ reason: "path", retryable: false });
      expect((error as Error).message).toContain(`refusing product path ${JSON.stringify(path)}`);
    },
  );
});

describe("redactUrl", () => {
  it("hides the password and keeps the user", () => {
    expect(redactUrl("https://bot:s3cret@mirror.internal/juju/tools")).toBe(
      "https://bot:***@mirror.internal/juju/tools",
    );
  });

  it("leaves URLs without credentials alone", () => {
    expect(redactUrl("https://mirror.internal/a@b")).toBe("https://mirror.internal/a@b");
  });
});
