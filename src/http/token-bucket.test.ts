import { describe, expect, it } from "vitest";
import { createTokenBucket } from "./token-bucket.ts";

describe("createTokenBucket", () => {
  it("allows a burst of `capacity`, then refuses with a retry time", () => {
    const now = 0;
    const bucket = createTokenBucket({ capacity: 3, refillMs: 6000, now: () => now });
    expect([bucket.take(), bucket.take(), bucket.take()].every((t) => t.allowed)).toBe(true);
    expect(bucket.take()).toEqual({ allowed: false, retryAfterSeconds: 6 });
  });

  it("earns tokens back over time, never above capacity", () => {
    let now = 0;
    const bucket = createTokenBucket({ capacity: 2, refillMs: 1000, now: () => now });
    bucket.take();
    bucket.take();
    expect(bucket.take().allowed).toBe(false);
    now += 1000;
    expect(bucket.take().allowed).toBe(true);
    expect(bucket.take().allowed).toBe(false);
    now += 60_000;
    expect(bucket.take().allowed).toBe(true);
    expect(bucket.take().allowed).toBe(true);
    expect(bucket.take().allowed).toBe(false);
  });

  it("validates its options", () => {
    expect(() => createTokenBucket({ capacity: 0, refillMs: 1 })).toThrow(/`capacity`/);
    expect(() => createTokenBucket({ capacity: 1, refillMs: 0 })).toThrow(/`refillMs`/);
  });
});
