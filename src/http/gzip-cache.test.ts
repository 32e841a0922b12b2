import { describe, expect, it } from "vitest";
import { createGzipCache } from "./gzip-cache.ts";

const encoder = new TextEncoder();

/** A body that counts how often it was read and whether it was cancelled. */
function body(text: string) {
  const state = { reads: 0, cancelled: false };
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      state.reads += 1;
      controller.enqueue(encoder.encode(text));
      controller.close();
    },
    cancel() {
      state.cancelled = true;
    },
  });
  return { stream, state };
}

async function gunzip(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(stream).text();
}

describe("gzip cache", () => {
  it("returns gzip of the body and keeps it for the same key and etag", async () => {
    const cache = createGzipCache();
    const bytes = await cache.compress("a.json", "v1", body('{"a": 1}').stream);
    expect(await gunzip(bytes)).toBe('{"a": 1}');
    expect(cache.has("a.json")).toBe(true);
    expect(cache.get("a.json", "v1")).toBe(bytes);
  });

  it("does not hand out a kept version for another etag", async () => {
    const cache = createGzipCache();
    await cache.compress("a.json", "v1", body("one").stream);
    expect(cache.get("a.json", "v2")).toBeUndefined();
    await cache.compress("a.json", "v2", body("two").stream);
    expect(cache.get("a.json", "v1")).toBeUndefined();
    expect(await gunzip(cache.get("a.json", "v2") ?? new Uint8Array())).toBe("two");
  });

  it("shares one compression between concurrent callers and cancels the other bodies", async () => {
    const cache = createGzipCache();
    const first = body("same");
    const second = body("same");
    const [a, b] = await Promise.all([
      cache.compress("a.json", "v1", first.stream),
      cache.compress("a.json", "v1", second.stream),
    ]);
    expect(a).toBe(b);
    expect(first.state.reads).toBe(1);
    expect(second.state).toEqual({ reads: 0, cancelled: true });
  });

  it("keeps nothing and rejects every caller when the body fails", async () => {
    const cache = createGzipCache();
    const failing = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new Error("disk gone"));
      },
    });
    const waiting = body("unused");
    const results = await Promise.allSettled([
      cache.compress("a.json", "v1", failing),
      cache.compress("a.json", "v1", waiting.stream),
    ]);
    expect(results.map((result) => result.status)).toEqual(["rejected", "rejected"]);
    expect(cache.has("a.json")).toBe(false);
    // A later request tries again rather than getting the old failure.
    expect(await gunzip(await cache.compress("a.json", "v1", body("ok").stream))).toBe("ok");
  });

  it("drops the least recently used entries beyond its budget", async () => {
    // Random printable text: about 2,500 bytes each once gzipped, so two fit and three do not.
    const text = (seed: number) => {
      let state = seed;
      let out = "";
      for (let i = 0; i < 3000; i++) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        out += String.fromCharCode(33 + ((state >>> 0) % 89));
      }
      return out;
    };
    const cache = createGzipCache({ maxBytes: 6000 });
    await cache.compress("a", "1", body(text(1)).stream);
    await cache.compress("b", "1", body(text(2)).stream);
    expect([cache.has("a"), cache.has("b")]).toEqual([true, true]);
    cache.get("a", "1");
    await cache.compress("c", "1", body(text(3)).stream);
    expect(cache.has("a")).toBe(true);
    expect(cache.has("b")).toBe(false);
    expect(cache.has("c")).toBe(true);
  });

  it("takes inputs up to a quarter of its budget, and none with a budget of 0", async () => {
    expect(createGzipCache({ maxBytes: 4096 }).maxInputBytes).toBe(1024);
    const off = createGzipCache({ maxBytes: 0 });
    expect(off.maxInputBytes).toBe(0);
    await off.compress("a", "1", body("x").stream);
    expect(off.has("a")).toBe(false);
  });

  it("refuses a budget that is not a whole number of bytes", () => {
    expect(() => createGzipCache({ maxBytes: -1 })).toThrow(/`maxBytes`/);
    expect(() => createGzipCache({ maxBytes: 1.5 })).toThrow(/`maxBytes`/);
  });
});
