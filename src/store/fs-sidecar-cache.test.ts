import type { BigIntStats } from "node:fs";
import { describe, expect, it } from "vitest";
import type { Sidecar } from "./fs-sidecar.ts";
import { createSidecarCache } from "./fs-sidecar-cache.ts";

function statsOf(change: { ino?: bigint; size?: bigint; mtimeNs?: bigint } = {}): BigIntStats {
  return { ino: 7n, size: 3n, mtimeNs: 1_000_000_123n, ...change } as unknown as BigIntStats;
}

function sidecar(key: string): Sidecar {
  return { key, sha256: "a".repeat(64), size: 3, mtimeNs: "1000000123", ino: "7" };
}

describe("sidecar cache", () => {
  it("hands back a kept sidecar for the same inode, size and mtime", () => {
    const cache = createSidecarCache();
    cache.set(sidecar("a.json"), statsOf());
    expect(cache.get("a.json", statsOf())).toEqual(sidecar("a.json"));
  });

  it("hands back nothing for another file at the same key", () => {
    const cache = createSidecarCache();
    cache.set(sidecar("a.json"), statsOf());
    expect(cache.get("a.json", statsOf({ ino: 8n }))).toBeUndefined();
    expect(cache.get("a.json", statsOf({ size: 4n }))).toBeUndefined();
    expect(cache.get("a.json", statsOf({ mtimeNs: 1_000_000_124n }))).toBeUndefined();
    expect(cache.get("b.json", statsOf())).toBeUndefined();
  });

  it("keeps at most its number of entries, dropping the least recently used", () => {
    const cache = createSidecarCache(2);
    cache.set(sidecar("a"), statsOf());
    cache.set(sidecar("b"), statsOf());
    cache.get("a", statsOf());
    cache.set(sidecar("c"), statsOf());
    expect(cache.get("a", statsOf())).toBeDefined();
    expect(cache.get("b", statsOf())).toBeUndefined();
    expect(cache.get("c", statsOf())).toBeDefined();
  });

  it("forgets a deleted key, and keeps nothing with 0 entries", () => {
    const cache = createSidecarCache();
    cache.set(sidecar("a"), statsOf());
    cache.delete("a");
    expect(cache.get("a", statsOf())).toBeUndefined();
    const off = createSidecarCache(0);
    off.set(sidecar("a"), statsOf());
    expect(off.get("a", statsOf())).toBeUndefined();
  });

  it("refuses a size that is not a whole number", () => {
    expect(() => createSidecarCache(-1)).toThrow(/`maxEntries`/);
  });
});
