/**
 * The storage port every adapter (memory, fs, S3, R2) implements and every other part of
 * streamgate (HTTP app, sync, images, bundle) talks to. Web streams everywhere, so the
 * same code runs on Node and in workerd.
 */

/** Which part of an object to read. `suffix` reads the last N bytes. */
export type ByteRange = { offset: number; length?: number } | { suffix: number };

/** What a store knows about one object, without its bytes. */
export interface ObjectInfo {
  key: string;
  /** Size of the whole object in bytes. */
  size: number;
  /** Strong validator, without quotes; changes whenever the bytes change. */
  etag: string;
  lastModified: Date;
  contentType?: string;
  /**
   * Lowercase hex sha256 of the whole object, recorded when streamgate wrote it, so a
   * resync can trust it without re-reading the bytes. Absent for objects written by
   * something else (a tree copied by hand into the fs root).
   */
  sha256?: string;
}

/** An object and a stream of (part of) its bytes. */
export interface StoredObject extends ObjectInfo {
  body: ReadableStream<Uint8Array>;
  /** Present when a range was asked for: the bytes `body` actually holds. */
  range?: { offset: number; length: number };
}

export interface GetOptions {
  range?: ByteRange;
}

export interface PutOptions {
  /** Expected byte count; the put fails with `IntegrityError` and writes nothing if it differs. */
  size?: number;
  /** Expected lowercase hex sha256; checked while streaming, like `size`. */
  sha256?: string;
  contentType?: string;
  /** Write only if no object exists at the key (needs `capabilities.conditionalWrites`). */
  ifNoneMatch?: "*";
  /** Write only if the current object's etag equals this one (needs `conditionalWrites`). */
  ifMatch?: string;
}

export type PutBody = ReadableStream<Uint8Array> | Uint8Array | string;

export interface StoreCapabilities {
  /** `ifNoneMatch` / `ifMatch` are enforced atomically by the backend. */
  conditionalWrites: boolean;
}

/**
 * A flat key → bytes store.
 *
 * - `null` always means *not found*. Every other failure throws a `StoreError` (or a
 *   subclass), which the HTTP layer answers with 503 — never 404.
 * - A reader sees the old or the new object, never a partial one.
 * - Keys are validated by every adapter with `assertValidKey`: relative, `/`-separated,
 *   no `..`, no backslash, no NUL, no segment starting with `.` except the internal
 *   prefix `.streamgate/`.
 */
export interface ObjectStore {
  /** Short adapter name used in error messages: `memory`, `fs`, `s3`, `r2`. */
  readonly name: string;
  readonly capabilities: StoreCapabilities;
  get(key: string, options?: GetOptions): Promise<StoredObject | null>;
  head(key: string): Promise<ObjectInfo | null>;
  /** Writes the object; the sha256 is computed while streaming and recorded. */
  put(key: string, body: PutBody, options?: PutOptions): Promise<ObjectInfo>;
  /** Deletes the keys that exist; missing keys are not an error. */
  delete(keys: readonly string[]): Promise<void>;
  /** Every object whose key starts with `prefix`, in ascending key order. */
  list(prefix: string): AsyncIterable<ObjectInfo>;
}
