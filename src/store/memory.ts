import { concatBytes } from "../core/index.ts";
import { IntegrityError, PreconditionFailedError, StoreError } from "./errors.ts";
import { assertValidKey, assertValidPrefix, compareKeys, isInternalKey } from "./keys.ts";
import type {
  GetOptions,
  ObjectInfo,
  ObjectStore,
  PutBody,
  PutOptions,
  StoredObject,
} from "./object-store.ts";
import { preconditionHolds } from "./precondition.ts";
import {
  assertPutOptions,
  integrityProblem,
  oversizeProblem,
  readPutBody,
  toHex,
} from "./put-body.ts";
import { resolveRange } from "./range.ts";

/** Name used in error messages. */
export const MEMORY_STORE_NAME = "memory";

/** Bytes per chunk of a returned body, so consumers see a stream like a real backend's. */
const CHUNK_SIZE = 64 * 1024;

export interface MemoryStoreOptions {
  /**
   * Whether `ifNoneMatch` / `ifMatch` are honoured (default `true`). Pass `false` to test
   * code paths meant for a backend without conditional writes: the store then reports
   * `conditionalWrites: false` and refuses conditional puts with a `StoreError`.
   */
  conditionalWrites?: boolean;
  /** Clock for `lastModified` (default `() => new Date()`), e.g. for fake timers. */
  now?: () => Date;
}

interface Entry {
  info: ObjectInfo;
  bytes: Uint8Array;
}

function chunkedStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (offset >= bytes.byteLength) {
        controller.close();
        return;
      }
      // A copy, so a consumer that writes into a chunk cannot change the stored object.
      controller.enqueue(bytes.slice(offset, offset + CHUNK_SIZE));
      offset += CHUNK_SIZE;
    },
  });
}

function copyInfo(info: ObjectInfo): ObjectInfo {
  return { ...info, lastModified: new Date(info.lastModified.getTime()) };
}

/**
 * A store held in a `Map`, for unit tests and dry runs. Complete: ranges, conditional
 * writes, recorded sha256 (Web Crypto), integrity checks, internal keys. Bodies are
 * buffered whole, so it is not for large objects. Runtime-neutral.
 */
export function createMemoryStore(options: MemoryStoreOptions = {}): ObjectStore {
  const conditionalWrites = options.conditionalWrites ?? true;
  const now = options.now ?? (() => new Date());
  const entries = new Map<string, Entry>();

  const where = (operation: string, key: string) => ({
    store: MEMORY_STORE_NAME,
    operation,
    key,
  });

  async function readAll(
    key: string,
    body: PutBody,
    putOptions: PutOptions,
  ): Promise<Uint8Array<ArrayBuffer>> {
    const chunks: Uint8Array<ArrayBuffer>[] = [];
    let size = 0;
    try {
      for await (const chunk of readPutBody(body)) {
        size += chunk.byteLength;
        const problem = oversizeProblem(putOptions, size);
        if (problem !== undefined) throw new IntegrityError(problem, where("put", key));
        // Copied: the caller may reuse its buffer once the put returns.
        chunks.push(chunk.slice());
      }
    } catch (error) {
      if (error instanceof StoreError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new StoreError(`reading the body failed: ${message}`, {
        ...where("put", key),
        cause: error,
      });
    }
    if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
    return concatBytes(chunks, size);
  }

  return {
    name: MEMORY_STORE_NAME,
    capabilities: { conditionalWrites },

    async get(key: string, getOptions: GetOptions = {}): Promise<StoredObject | null> {
      assertValidKey(key);
      const entry = entries.get(key);
      if (entry === undefined) return null;
      const info = copyInfo(entry.info);
      if (getOptions.range === undefined) return { ...info, body: chunkedStream(entry.bytes) };
      const range = resolveRange(getOptions.range, entry.bytes.byteLength, {
        store: MEMORY_STORE_NAME,
        key,
      });
      const bytes = entry.bytes.subarray(range.offset, range.offset + range.length);
      return { ...info, body: chunkedStream(bytes), range };
    },

    async head(key: string): Promise<ObjectInfo | null> {
      assertValidKey(key);
      const entry = entries.get(key);
      return entry === undefined ? null : copyInfo(entry.info);
    },

    async put(key: string, body: PutBody, putOptions: PutOptions = {}): Promise<ObjectInfo> {
      assertValidKey(key);
      assertPutOptions(putOptions);
      const conditional = putOptions.ifNoneMatch !== undefined || putOptions.ifMatch !== undefined;
      if (conditional && !conditionalWrites) {
        throw new StoreError("conditional writes are switched off", where("put", key));
      }
      const bytes = await readAll(key, body, putOptions);
      const sha256 = toHex(await crypto.subtle.digest("SHA-256", bytes));
      const problem = integrityProblem(putOptions, bytes.byteLength, sha256);
      if (problem !== undefined) throw new IntegrityError(problem, where("put", key));
      // No await from here on: the check and the write happen in one turn, atomically.
      if (!preconditionHolds(entries.get(key)?.info ?? null, putOptions)) {
        throw new PreconditionFailedError(where("put", key));
      }
      const info: ObjectInfo = {
        key,
        size: bytes.byteLength,
        etag: sha256,
        lastModified: now(),
        sha256,
        ...(putOptions.contentType === undefined ? {} : { contentType: putOptions.contentType }),
      };
      entries.set(key, { info, bytes });
      return copyInfo(info);
    },

    async delete(keys: readonly string[]): Promise<void> {
      for (const key of keys) assertValidKey(key);
      for (const key of keys) entries.delete(key);
    },

    list(prefix: string): AsyncIterable<ObjectInfo> {
      return {
        async *[Symbol.asyncIterator]() {
          assertValidPrefix(prefix);
          const internal = isInternalKey(prefix);
          const keys = [...entries.keys()]
            .filter((key) => key.startsWith(prefix) && (internal || !isInternalKey(key)))
            .sort(compareKeys);
          for (const key of keys) {
            const entry = entries.get(key);
            // Deleted while the caller was iterating: a live listing just does not see it.
            if (entry !== undefined) yield copyInfo(entry.info);
          }
        },
      };
    },
  };
}
