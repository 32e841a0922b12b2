import { describe, expect, it } from "vitest";
import { assertRelativePath, checkRelativePath, UnsafePathError } from "./relative-path.ts";

describe("checkRelativePath", () => {
  it.each([
    "agent/3.6.12/juju-3.6.12-ubuntu-amd64.tgz",
    "streams/v1/com.ubuntu.cloud:released:joyent.sjson",
    "server/releases/lucid/beta-1/ubuntu-10.04-beta1-server-uec-amd64.tar.gz",
    "a..b/c",
    "with space/and%20encoded-space",
  ])("accepts %j", (path) => {
    expect(checkRelativePath(path)).toBeUndefined();
  });

  it.each([
    ["", "must not be empty"],
    ["/etc/passwd", 'must be relative (must not start with "/")'],
    ["//host/x", 'must be relative (must not start with "/")'],
    ["agent\\x.tgz", "must not contain backslashes"],
    ["agent/\u0000.tgz", "must not contain NUL"],
    ["agent/x\n.tgz", 'must not contain "\\n"'],
    ["agent/x.tgz?v=1", 'must not contain "?"'],
    ["agent/x.tgz#f", 'must not contain "#"'],
    ["agent/%2e%2e/x", "must not contain percent-encoded dots, slashes, backslashes or NUL"],
    ["agent/%2E./x", "must not contain percent-encoded dots, slashes, backslashes or NUL"],
    ["agent%2fx", "must not contain percent-encoded dots, slashes, backslashes or NUL"],
    ["a/../b", 'must not contain ".." segments'],
    ["..", 'must not contain ".." segments'],
    ["a//b", "must not contain empty segments"],
    ["a/b/", "must not contain empty segments"],
    ["http://evil/x", "must not contain empty segments"],
    ["./a", 'must not contain segments starting with "."'],
    [".streamgate/state/agents.json", 'must not contain segments starting with "."'],
  ])("refuses %j", (path, reason) => {
    expect(checkRelativePath(path)).toBe(reason);
  });
});

describe("assertRelativePath", () => {
  it("throws UnsafePathError naming the value and the reason", () => {
    expect(() => assertRelativePath("../x", "object key")).toThrow(
      new UnsafePathError("../x", 'must not contain ".." segments', "object key"),
    );
    try {
      assertRelativePath("/x");
    } catch (error) {
      expect(error).toBeInstanceOf(UnsafePathError);
      expect((error as UnsafePathError).message).toBe(
        '[streamgate] [core] invalid path "/x": must be relative (must not start with "/")',
      );
      expect((error as UnsafePathError).reason).toBe('must be relative (must not start with "/")');
      return;
    }
    throw new Error("expected assertRelativePath to throw");
  });

  it("returns quietly for a safe path", () => {
    expect(assertRelativePath("agent/x.tgz")).toBeUndefined();
  });
});
