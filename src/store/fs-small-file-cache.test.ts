import type { BigIntStats } from "node:fs";
import { describe, expect, it } from "vitest";
import { createSmallFileCache, SMALL_FILE_MAX_BYTES } from "./fs-small-file-cache.ts";

interface Identity {
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

function statsOf(bytes: Uint8Array, change: Partial<Identity> = {}): BigIntStats {
  const identity: Identity = {
    dev: 1n,
    ino: 42n,
    size: BigInt(bytes.byteLength),
    mtimeNs: 1_700_000_000_000_000_000n,
    ctimeNs: 1_700_000_000_000_000_000n,
    ...change,
  };
  return identity as unknown as BigIntStats;
}

const BYTES = new TextEncoder().encode('{"index": {}}\n');

describe("small file cache", () => {
  it("hands back a kept file while device, inode, size, mtime and ctime are unchanged", () => {
    const cache = createSmallFileCache();
    cache.set("a.json", statsOf(BYTES), BYTES);
    expect(cache.has("a.json")).toBe(true);
    expect(cache.get("a.json", statsOf(BYTES))).toEqual(BYTES);
  });

  it("keeps a copy, so the caller may hand its bytes to anyone", () => {
    const cache = createSmallFileCache();
    const bytes = BYTES.slice();
    cache.set("a.json", statsOf(bytes), bytes);
    bytes.fill(0);
    expect(cache.get("a.json", statsOf(BYTES))).toEqual(BYTES);
  });

  it("forgets a file as soon as any part of its identity differs", () => {
    const changes: Partial<Identity>[] = [
      { dev: 2n },
      { ino: 43n },
      { size: 15n },
      { mtimeNs: 1_700_000_000_000_000_001n },
      // An edit in place that restored mtime still moves ctime.
      { ctimeNs: 1_700_000_000_000_000_001n },
    ];
    for (const change of changes) {
      const cache = createSmallFileCache();
      cache.set("a.json", statsOf(BYTES), BYTES);
      expect(
        cache.get("a.json", statsOf(BYTES, change)),
        Object.keys(change).join(),
      ).toBeUndefined();
      expect(cache.has("a.json")).toBe(false);
    }
  });

  it("keeps nothing larger than 256 KiB or whose bytes are not the whole file", () => {
    const cache = createSmallFileCache();
    const big = new Uint8Array(SMALL_FILE_MAX_BYTES + 1);
    cache.set("big.json", statsOf(big), big);
    expect(cache.has("big.json")).toBe(false);
    cache.set("part.json", statsOf(BYTES, { size: 100n }), BYTES);
    expect(cache.has("part.json")).toBe(false);
  });

  it("drops the least recently used files beyond its budget", () => {
    const cache = createSmallFileCache({ maxBytes: 2 * BYTES.byteLength });
    cache.set("a", statsOf(BYTES), BYTES);
    cache.set("b", statsOf(BYTES), BYTES);
    cache.get("a", statsOf(BYTES));
    cache.set("c", statsOf(BYTES), BYTES);
    expect([cache.has("a"), cache.has("b"), cache.has("c")]).toEqual([true, false, true]);
  });

  it("keeps nothing with a budget of 0, and forgets a deleted key", () => {
    const off = createSmallFileCache({ maxBytes: 0 });
    off.set("a", statsOf(BYTES), BYTES);
    expect(off.has("a")).toBe(false);
    const cache = createSmallFileCache();
    cache.set("a", statsOf(BYTES), BYTES);
    cache.delete("a");
    expect(cache.has("a")).toBe(false);
  });

  it("refuses a budget that is not a whole number of bytes", () => {
    expect(() => createSmallFileCache({ maxBytes: -1 })).toThrow(/`maxBytes`/);
  });
});
