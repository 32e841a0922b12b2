import { readBodyBytes } from "./body-bytes.ts";

/** Default budget: every index and product file of a large mirror, gzipped, many times over. */
export const DEFAULT_GZIP_CACHE_BYTES = 16 * 1024 * 1024;

export interface GzipCacheOptions {
  /** Bytes of gzip output kept, least recently used dropped first; 0 keeps nothing. */
  maxBytes?: number;
}

/**
 * Gzip output of metadata files, one version per key, remembered by the object's etag.
 * Compressing a 2.5 MB product file costs tens of milliseconds of CPU on every request;
 * the files change only when a sync publishes, and the etag says when.
 *
 * Not a cache of identity bodies: keeping those is the store's business (the fs store
 * keeps small files, R2 has its own caches).
 */
export interface GzipCache {
  /** Objects larger than this are gzipped as they stream, never kept. */
  readonly maxInputBytes: number;
  /** Whether some version of `key` is kept: a `head` can then tell whether it is current. */
  has(key: string): boolean;
  /** The kept gzip bytes of `key` if they were made from the version `etag`. */
  get(key: string, etag: string): Uint8Array<ArrayBuffer> | undefined;
  /**
   * Gzips `body`, the whole object `key` at `etag`, keeps the result and returns it.
   * Concurrent calls for the same version share one compression (the later bodies are
   * cancelled unread). A body that fails rejects every caller and keeps nothing.
   */
  compress(
    key: string,
    etag: string,
    body: ReadableStream<Uint8Array>,
  ): Promise<Uint8Array<ArrayBuffer>>;
}

interface Entry {
  etag: string;
  bytes: Uint8Array<ArrayBuffer>;
}

function gzip(body: ReadableStream<Uint8Array>): Promise<Uint8Array<ArrayBuffer>> {
  return readBodyBytes(
    body.pipeThrough(new CompressionStream("gzip") as ReadableWritablePair<Uint8Array, Uint8Array>),
  );
}

export function createGzipCache(options: GzipCacheOptions = {}): GzipCache {
  const maxBytes = options.maxBytes ?? DEFAULT_GZIP_CACHE_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 0) {
    throw new TypeError(`Expected \`maxBytes\` to be an integer from 0 and up, got ${maxBytes}`);
  }
  // Map order is insertion order: re-inserting on use keeps the least recently used first.
  const entries = new Map<string, Entry>();
  const pending = new Map<string, Promise<Uint8Array<ArrayBuffer>>>();
  let total = 0;

  function forget(key: string): void {
    const entry = entries.get(key);
    if (entry === undefined) return;
    entries.delete(key);
    total -= entry.bytes.byteLength;
  }

  function keep(key: string, entry: Entry): void {
    forget(key);
    if (entry.bytes.byteLength > maxBytes) return;
    entries.set(key, entry);
    total += entry.bytes.byteLength;
    for (const [oldest] of entries) {
      if (total <= maxBytes) break;
      forget(oldest);
    }
  }

  return {
    // A quarter of the budget, so one huge file cannot push out all the others.
    maxInputBytes: Math.floor(maxBytes / 4),

    has(key) {
      return entries.has(key);
    },

    get(key, etag) {
      const entry = entries.get(key);
      if (entry === undefined || entry.etag !== etag) return undefined;
      entries.delete(key);
      entries.set(key, entry);
      return entry.bytes;
    },

    compress: function compressOnce(key, etag, body) {
      // JSON.stringify keeps the pair unambiguous whatever characters key and etag hold.
      const id = JSON.stringify([key, etag]);
      const running = pending.get(id);
      if (running !== undefined) {
        body.cancel().catch(() => {});
        return running;
      }
      const done = gzip(body).then(
        (bytes) => {
          pending.delete(id);
          keep(key, { etag, bytes });
          return bytes;
        },
        (error: unknown) => {
          pending.delete(id);
          throw error;
        },
      );
      pending.set(id, done);
      return done;
    },
  };
}
