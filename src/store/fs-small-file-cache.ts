import type { BigIntStats } from "node:fs";

/** Default budget of kept bytes: thousands of index and small product files. */
export const DEFAULT_SMALL_FILE_CACHE_BYTES = 32 * 1024 * 1024;

/** Files up to this size are kept; larger ones are always streamed from disk. */
export const SMALL_FILE_MAX_BYTES = 256 * 1024;

/**
 * Bytes of small files the fs store has read, so the next `get` of the same file costs
 * one `stat` instead of open, fstat, read and close: each is a round trip through
 * libuv's thread pool, and together they cost several times what the rest of a request
 * does (measured by `npm run bench:serve`). nginx's `open_file_cache` plays the same part.
 *
 * A kept copy is used only while the path still names the same file, unchanged: same
 * device and inode (a put or a rename puts a new file there), same size, mtime and ctime
 * (an edit in place changes ctime even when it restores mtime). The one change this
 * misses is the one the etag misses too (nginx's as well): an edit in place that keeps
 * the size, made within the same timestamp tick as the file's last change, on a kernel
 * with coarse file timestamps. streamgate itself never edits a file in place.
 */
export interface SmallFileCache {
  /** Whether `key` has a copy kept, current or not: only then is a `stat` worth it first. */
  has(key: string): boolean;
  /** The kept bytes of `key` if they are those of the file `stats` describes. Do not modify them. */
  get(key: string, stats: BigIntStats): Uint8Array | undefined;
  /** Keeps a copy of `bytes`, all of the file `stats` describes, if small enough. */
  set(key: string, stats: BigIntStats, bytes: Uint8Array): void;
  delete(key: string): void;
}

export interface SmallFileCacheOptions {
  /** Total bytes kept, least recently used dropped first; 0 keeps nothing. */
  maxBytes?: number;
}

interface Entry {
  bytes: Uint8Array;
  dev: bigint;
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
}

function sameFile(entry: Entry, stats: BigIntStats): boolean {
  return (
    entry.ino === stats.ino &&
    entry.dev === stats.dev &&
    entry.size === stats.size &&
    entry.mtimeNs === stats.mtimeNs &&
    entry.ctimeNs === stats.ctimeNs
  );
}

export function createSmallFileCache(options: SmallFileCacheOptions = {}): SmallFileCache {
  const maxBytes = options.maxBytes ?? DEFAULT_SMALL_FILE_CACHE_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new TypeError(`Expected \`maxBytes\` to be an integer from 0 and up, got ${maxBytes}`);
  }
  const maxFileBytes = Math.min(SMALL_FILE_MAX_BYTES, maxBytes);
  // Map order is insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, Entry>();
  let total = 0;

  function forget(key: string): void {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entries.delete(key);
    total -= entry.bytes.byteLength;
  }

  return {
    has(key) {
      return entries.has(key);
    },
    get(key, stats) {
      const entry = entries.get(key);
      if (entry === undefined) return undefined;
      if (!sameFile(entry, stats)) {
        forget(key);
        return undefined;
      }
      entries.delete(key);
      entries.set(key, entry);
      return entry.bytes;
    },
    set(key, stats, bytes) {
      forget(key);
      if (bytes.byteLength > maxFileBytes || BigInt(bytes.byteLength) !== stats.size) return;
      const { dev, ino, size, mtimeNs, ctimeNs } = stats;
      // A copy: the caller hands `bytes` on to a reader, who may do anything with them.
      entries.set(key, { bytes: bytes.slice(), dev, ino, size, mtimeNs, ctimeNs });
      total += bytes.byteLength;
      for (const [oldest] of entries) {
        if (total <= maxBytes) break;
        forget(oldest);
      }
    },
    delete: forget,
  };
}
