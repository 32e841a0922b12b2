import { describe, expect, it } from "vitest";
import { MAX_PATH_LENGTH, parseTreePath, rawPathOf } from "./tree-path.ts";

describe("rawPathOf", () => {
  it("returns the path as sent, without query or fragment", () => {
    expect(rawPathOf("http://h:8080/a/%2e%2e/b?x=/y#z")).toBe("/a/%2e%2e/b");
    expect(rawPathOf("https://h/a#f")).toBe("/a");
  });

  it("returns / for a URL without a path", () => {
    expect(rawPathOf("http://h")).toBe("/");
  });
});

describe("parseTreePath", () => {
  it("turns a plain path into its key", () => {
    expect(parseTreePath("/juju/tools/streams/v1/index2.json")).toEqual({
      kind: "object",
      key: "juju/tools/streams/v1/index2.json",
    });
  });

  it("decodes each segment exactly once", () => {
    expect(parseTreePath("/a/b%20c%2Bd")).toEqual({ kind: "object", key: "a/b c+d" });
  });

  it("treats the root and paths ending in / as directories", () => {
    expect(parseTreePath("/")).toEqual({ kind: "directory", prefix: "" });
    expect(parseTreePath("/juju/tools/")).toEqual({ kind: "directory", prefix: "juju/tools/" });
  });

  it("merges repeated slashes like nginx", () => {
    expect(parseTreePath("//juju//tools/streams")).toEqual({
      kind: "object",
      key: "juju/tools/streams",
    });
  });

  it.each([
    ["/juju/../x"],
    ["/juju/./x"],
    ["/juju/%2e%2e/x"],
    ["/juju/%2E%2e/x"],
    ["/juju/%2e/x"],
    ["/juju/..%2fx"],
    ["/juju%2ftools"],
    ["/juju%2Ftools"],
    ["/juju/%252e%252e/x"],
    ["/juju/%25"],
    ["/juju\\..\\x"],
    ["/juju/%5c..%5cx"],
    ["/juju/a%00b"],
    ["/juju/a%0ab"],
    ["/juju/a%7fb"],
    ["/juju/%zz"],
    ["/juju/%e0%a4%a"],
  ])("rejects %s with 400", (path) => {
    const parsed = parseTreePath(path);
    expect(parsed.kind).toBe("rejected");
    expect(parsed.kind === "rejected" && parsed.status).toBe(400);
  });

  it.each([
    ["/.streamgate/state/agents.json"],
    ["/.git/config"],
    ["/juju/.hidden/x"],
    ["/%2estreamgate/state/agents.json"],
    ["/.streamgate/"],
  ])("answers %s, a hidden segment, with 404", (path) => {
    expect(parseTreePath(path)).toMatchObject({ kind: "rejected", status: 404 });
  });

  it("prefers 400 over 404 when a hidden path also traverses", () => {
    expect(parseTreePath("/.git/%2e%2e/x")).toMatchObject({ kind: "rejected", status: 400 });
  });

  it("answers a path longer than the limit with 414", () => {
    expect(parseTreePath(`/${"a".repeat(MAX_PATH_LENGTH)}`)).toMatchObject({
      kind: "rejected",
      status: 414,
    });
    expect(parseTreePath(`/${"a".repeat(MAX_PATH_LENGTH - 1)}`).kind).toBe("object");
  });
});
