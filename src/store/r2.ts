import type {
  R2Bucket,
  R2HTTPMetadata,
  R2Object,
  R2ObjectBody,
  R2PutOptions,
  R2Range,
} from "@cloudflare/workers-types";
import {
  IntegrityError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
  StoreError,
} from "./errors.ts";
import { assertValidKey, isInternalKey } from "./keys.ts";
import type {
  ByteRange,
  GetOptions,
  ObjectInfo,
  ObjectStore,
  PutBody,
  PutOptions,
  StoredObject,
} from "./object-store.ts";

/** Name used in error messages. API: https://developers.cloudflare.com/r2/api/workers/workers-api-reference/ */
export const R2_STORE_NAME = "r2";

/** R2 deletes at most this many keys per call. */
const DELETE_BATCH = 1000;

/**
 * A stream whose digest is not given must be read whole before the put, because R2 takes
 * custom metadata (our recorded sha256) only when the object is created. Streams this
 * big without a `sha256` are refused rather than risking the isolate's 128 MB.
 */
const MAX_UNHASHED_STREAM = 32 * 1024 * 1024;

export interface R2StoreOptions {
  /** The R2 binding, e.g. `env.MIRROR`. */
  bucket: R2Bucket;
}

interface WorkersStreams {
  FixedLengthStream: new (
    length: number,
  ) => TransformStream<Uint8Array, Uint8Array>;
}

function toHex(buffer: ArrayBuffer): string {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join(
    "",
  );
}

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  return toHex(await crypto.subtle.digest("SHA-256", bytes));
}

function toInfo(object: R2Object): ObjectInfo {
  const sha256 = object.customMetadata?.sha256;
  const contentType = object.httpMetadata?.contentType;
  return {
    key: object.key,
    size: object.size,
    etag: object.etag,
    lastModified: object.uploaded,
    ...(contentType === undefined ? {} : { contentType }),
    ...(sha256 === undefined ? {} : { sha256 }),
  };
}

function toR2Range(range: ByteRange): R2Range {
  return "suffix" in range ? { suffix: range.suffix } : range;
}

async function readLimited(stream: ReadableStream<Uint8Array>, limit: number, fail: () => never) {
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of stream) {
    total += chunk.byteLength;
    if (total > limit) fail();
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

/** Counts bytes on their way to R2 so a short or long body fails as an integrity error. */
function countingStream(expected: number, onMismatch: (actual: number) => Error) {
  let seen = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > expected) controller.error(onMismatch(seen));
      else controller.enqueue(chunk);
    },
    flush(controller) {
      if (seen !== expected) controller.error(onMismatch(seen));
    },
  });
}

/** The store behind the Worker: an R2 bucket binding. */
export function createR2Store(options: R2StoreOptions): ObjectStore {
  const { bucket } = options;
  const fail = (operation: string, key: string | undefined, cause: unknown): never => {
    const message = cause instanceof Error ? cause.message : String(cause);
    throw new StoreError(message, {
      store: R2_STORE_NAME,
      operation,
      ...(key === undefined ? {} : { key }),
      cause,
    });
  };

  async function call<T>(operation: string, key: string | undefined, run: () => Promise<T>) {
    try {
      return await run();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      return fail(operation, key, error);
    }
  }

  async function prepareBody(key: string, body: PutBody, putOptions: PutOptions) {
    const integrity = (message: string) =>
      new IntegrityError(message, { store: R2_STORE_NAME, operation: "put", key });
    if (typeof body === "string" || body instanceof Uint8Array) {
      const bytes = typeof body === "string" ? new TextEncoder().encode(body) : body;
      if (putOptions.size !== undefined && bytes.byteLength !== putOptions.size) {
        throw integrity(`expected ${putOptions.size} bytes, got ${bytes.byteLength}`);
      }
      const sha256 = await sha256Hex(bytes);
      if (putOptions.sha256 !== undefined && putOptions.sha256 !== sha256) {
        throw integrity(`expected sha256 ${putOptions.sha256}, got ${sha256}`);
      }
      return { value: bytes, sha256, failure: () => undefined };
    }
    if (putOptions.sha256 === undefined) {
      const bytes = await readLimited(body, MAX_UNHASHED_STREAM, () => {
        throw new StoreError(
          `a streamed body over ${MAX_UNHASHED_STREAM} bytes needs a \`sha256\` to record`,
          { store: R2_STORE_NAME, operation: "put", key },
        );
      });
      return prepareBody(key, bytes, putOptions);
    }
    if (putOptions.size === undefined) {
      // Unknown length: R2 accepts a plain stream only with a known length, so buffer it.
      const bytes = await readLimited(body, MAX_UNHASHED_STREAM, () => {
        throw new StoreError(
          `a streamed body over ${MAX_UNHASHED_STREAM} bytes needs a \`size\``,
          { store: R2_STORE_NAME, operation: "put", key },
        );
      });
      return prepareBody(key, bytes, putOptions);
    }
    let mismatch: Error | undefined;
    const { FixedLengthStream } = globalThis as unknown as WorkersStreams;
    const value = body
      .pipeThrough(
        countingStream(putOptions.size, (actual) => {
          mismatch = integrity(`expected ${putOptions.size} bytes, got at least ${actual}`);
          return mismatch;
        }),
      )
      .pipeThrough(new FixedLengthStream(putOptions.size));
    // R2 itself checks the sha256 we pass and refuses the object on a mismatch.
    return { value, sha256: putOptions.sha256, failure: () => mismatch };
  }

  return {
    name: R2_STORE_NAME,
    capabilities: { conditionalWrites: true },

    async get(key: string, getOptions: GetOptions = {}): Promise<StoredObject | null> {
      assertValidKey(key);
      const range = getOptions.range;
      const object = await call("get", key, () =>
        bucket.get(key, range === undefined ? {} : { range: toR2Range(range) }),
      ).catch(async (error: unknown) => {
        if (range === undefined) throw error;
        // R2 rejects a range past the end; tell that apart from a real failure.
        const info = await call("head", key, () => bucket.head(key));
        if (info !== null && "offset" in range && range.offset >= info.size) {
          throw new RangeNotSatisfiableError(info.size, { store: R2_STORE_NAME, operation: "get", key });
        }
        throw error;
      });
      if (object === null) return null;
      const body = (object as R2ObjectBody).body as unknown as ReadableStream<Uint8Array>;
      const info = toInfo(object);
      if (range === undefined) return { ...info, body };
      if ("offset" in range && range.offset >= info.size) {
        await body.cancel();
        throw new RangeNotSatisfiableError(info.size, { store: R2_STORE_NAME, operation: "get", key });
      }
      const served = object.range as { offset?: number; length?: number; suffix?: number };
      const offset = served.suffix !== undefined ? Math.max(0, info.size - served.suffix) : (served.offset ?? 0);
      const length = served.length ?? info.size - offset;
      return { ...info, body, range: { offset, length: Math.min(length, info.size - offset) } };
    },

    async head(key: string): Promise<ObjectInfo | null> {
      assertValidKey(key);
      const object = await call("head", key, () => bucket.head(key));
      return object === null ? null : toInfo(object);
    },

    async put(key: string, body: PutBody, putOptions: PutOptions = {}): Promise<ObjectInfo> {
      assertValidKey(key);
      const prepared = await prepareBody(key, body, putOptions);
      const httpMetadata: R2HTTPMetadata =
        putOptions.contentType === undefined ? {} : { contentType: putOptions.contentType };
      const r2Options: R2PutOptions = {
        httpMetadata,
        customMetadata: { sha256: prepared.sha256 },
        sha256: prepared.sha256,
      };
      if (putOptions.ifNoneMatch === "*") r2Options.onlyIf = new Headers({ "If-None-Match": "*" }) as never;
      else if (putOptions.ifMatch !== undefined) r2Options.onlyIf = { etagMatches: putOptions.ifMatch };
      let written: R2Object | null;
      try {
        written = await bucket.put(key, prepared.value as never, r2Options);
      } catch (error) {
        const mismatch = prepared.failure();
        if (mismatch !== undefined) throw mismatch;
        const message = error instanceof Error ? error.message : String(error);
        if (/checksum|digest/i.test(message)) {
          throw new IntegrityError(`sha256 does not match ${prepared.sha256}`, {
            store: R2_STORE_NAME,
            operation: "put",
            key,
            cause: error,
          });
        }
        return fail("put", key, error);
      }
      if (written === null) {
        throw new PreconditionFailedError({ store: R2_STORE_NAME, operation: "put", key });
      }
      return toInfo(written);
    },

    async delete(keys: readonly string[]): Promise<void> {
      for (const key of keys) assertValidKey(key);
      for (let start = 0; start < keys.length; start += DELETE_BATCH) {
        const batch = keys.slice(start, start + DELETE_BATCH);
        await call("delete", batch[0], () => bucket.delete(batch));
      }
    },

    async *list(prefix: string): AsyncIterable<ObjectInfo> {
      const includeInternal = isInternalKey(prefix);
      let cursor: string | undefined;
      do {
        const page = await call("list", prefix, () =>
          bucket.list({
            prefix,
            include: ["httpMetadata", "customMetadata"],
            ...(cursor === undefined ? {} : { cursor }),
          }),
        );
        for (const object of page.objects) {
          if (!includeInternal && isInternalKey(object.key)) continue;
          yield toInfo(object);
        }
        cursor = page.truncated ? page.cursor : undefined;
      } while (cursor !== undefined);
    },
  };
}
