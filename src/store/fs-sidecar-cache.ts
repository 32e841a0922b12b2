import type { BigIntStats } from "node:fs";
import type { Sidecar } from "./fs-sidecar.ts";

/** Default number of sidecars kept: every file of a large mirror, for a few MB. */
export const DEFAULT_SIDECAR_CACHE_ENTRIES = 10_000;

/**
 * Sidecars the fs store has read or written, so a `get` or `head` does not read one
 * file more than the object's own. Sound because a sidecar names the data file it is
 * about (inode, size, mtime) and every put writes a new data file: a sidecar that
 * matched a file once matches it for as long as that file is there, and a file replaced
 * in any way (put, rename, edit) no longer matches what is kept for its key.
 *
 * Only matches are kept, never "no sidecar": a conditional put links the data file into
 * place before it writes its sidecar, so a miss may turn into a match a moment later.
 */
export interface SidecarCache {
  /** The kept sidecar of `key` if it is about the file `stats` describes. */
  get(key: string, stats: BigIntStats): Sidecar | undefined;
  /** Keeps `sidecar`, about the file `stats` describes; the least recently used go first. */
  set(sidecar: Sidecar, stats: BigIntStats): void;
  delete(key: string): void;
}

interface Entry {
  sidecar: Sidecar;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
}

export function createSidecarCache(maxEntries = DEFAULT_SIDECAR_CACHE_ENTRIES): SidecarCache {
  if (!Number.isSafeInteger(maxEntries) || maxEntries < 0) {
    throw new TypeError(
      `Expected \`maxEntries\` to be an integer from 0 and up, got ${maxEntries}`,
    );
  }
  // Map order is insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, Entry>();
  return {
    get(key, stats) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (entry.ino !== stats.ino || entry.size !== stats.size || entry.mtimeNs !== stats.mtimeNs) {
        return undefined;
      }
      entries.delete(key);
      entries.set(key, entry);
      return entry.sidecar;
    },
    set(sidecar, stats) {
      if (maxEntries === 0) return;
      entries.delete(sidecar.key);
      entries.set(sidecar.key, {
        sidecar,
        ino: stats.ino,
        size: stats.size,
        mtimeNs: stats.mtimeNs,
      });
      if (entries.size > maxEntries) {
        const oldest = entries.keys().next();
        if (!oldest.done) entries.delete(oldest.value);
      }
    },
    delete(key) {
      entries.delete(key);
    },
  };
}
