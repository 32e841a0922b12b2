import { describe, expect, it } from "vitest";
import { isUpstreamError, stripOrigin, UpstreamError, type UpstreamErrorReason } from "./errors.ts";

describe("UpstreamError", () => {
  it.each<[UpstreamErrorReason, number | undefined, boolean]>([
    ["network", undefined, true],
    ["timeout", undefined, true],
    ["http-status", 500, true],
    ["http-status", 503, true],
    ["http-status", 403, false],
    ["http-status", 429, false],
    ["not-found", 404, false],
    ["too-large", undefined, false],
    ["redirect", 302, false],
    ["signature", undefined, false],
    ["parse", undefined, false],
    ["path", undefined, false],
  ])("marks %s (status %s) retryable: %s", (reason, status, retryable) => {
    expect(new UpstreamError("x", { url: "u", reason, status }).retryable).toBe(retryable);
  });

  it("names its origin and, once retried, the attempts made", () => {
    const error = new UpstreamError("https://h/x answered HTTP 503", {
      url: "https://h/x",
      reason: "http-status",
      status: 503,
    });
    expect(error.message).toBe("[streamgate] [upstream] https://h/x answered HTTP 503");
    const retried = error.withAttempts(4);
    expect(retried.message).toBe(
      "[streamgate] [upstream] https://h/x answered HTTP 503 (gave up after 4 attempts)",
    );
    expect(retried).toMatchObject({
      url: "https://h/x",
      status: 503,
      attempts: 4,
      retryable: true,
    });
  });

  it("is recognised by reason", () => {
    const error = new UpstreamError("gone", { url: "u", reason: "not-found" });
    expect(isUpstreamError(error)).toBe(true);
    expect(isUpstreamError(error, "not-found")).toBe(true);
    expect(isUpstreamError(error, "timeout")).toBe(false);
    expect(isUpstreamError(new Error("gone"))).toBe(false);
  });
});

describe("stripOrigin", () => {
  it("drops nested streamgate prefixes", () => {
    expect(stripOrigin("[streamgate] [signing] bad signature")).toBe("bad signature");
    expect(stripOrigin("no prefix [here]")).toBe("no prefix [here]");
  });
});
