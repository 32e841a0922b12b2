import type {
  R2Bucket,
  R2Object,
  R2ObjectBody,
  R2Objects,
  R2PutOptions,
  R2Range,
} from "@cloudflare/workers-types";
import { concatBytes } from "../core/index.ts";
import { IntegrityError, PreconditionFailedError, StoreError } from "./errors.ts";
import { assertValidKey, assertValidPrefix, isInternalKey } from "./keys.ts";
import type {
  ByteRange,
  GetOptions,
  ObjectInfo,
  ObjectStore,
  PutBody,
  PutOptions,
  StoredObject,
} from "./object-store.ts";
import {
  assertPutOptions,
  integrityProblem,
  oversizeProblem,
  readPutBody,
  toHex,
} from "./put-body.ts";
import { type ResolvedRange, resolveRange } from "./range.ts";

/** Name used in error messages. API: https://developers.cloudflare.com/r2/api/workers/workers-api-reference/ */
export const R2_STORE_NAME = "r2";

/** R2 deletes at most this many keys per call. */
const DELETE_BATCH = 1000;

/**
 * A stream without its `size` and `sha256` must be read whole before the put: R2 takes
 * custom metadata (our recorded sha256) only when the object is created, and a stream
 * only with a known length. Bigger ones are refused rather than risking the isolate's
 * 128 MB; every large object streamgate writes (tarballs) comes with both.
 */
const MAX_BUFFERED_BODY = 32 * 1024 * 1024;

export interface R2StoreOptions {
  /** The R2 binding, e.g. `env.MIRROR`. */
  bucket: R2Bucket;
}

interface WorkersStreams {
  FixedLengthStream: new (length: number) => TransformStream<Uint8Array, Uint8Array>;
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

function toR2Range(range: ResolvedRange): R2Range {
  return { offset: range.offset, length: range.length };
}

/** Counts bytes on their way to R2 so a short or long body fails as an integrity error. */
function countingStream(expected: number, onMismatch: (problem: string) => Error) {
  let seen = 0;
  return new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      const problem = oversizeProblem({ size: expected }, seen);
      if (problem === undefined) controller.enqueue(chunk);
      else controller.error(onMismatch(problem));
    },
    flush(controller) {
      if (seen !== expected)
        controller.error(onMismatch(`expected ${expected} bytes, got ${seen}`));
    },
  });
}

/** The store behind the Worker: an R2 bucket binding. */
export function createR2Store(options: R2StoreOptions): ObjectStore {
  const { bucket } = options;
  const where = (operation: string, key: string) => ({ store: R2_STORE_NAME, operation, key });

  async function call<T>(operation: string, key: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (error instanceof StoreError) throw error;
      const message = error instanceof Error ? error.message : String(error);
      throw new StoreError(message, { ...where(operation, key), cause: error });
    }
  }

  /** Reads a body R2 cannot take as a stream (unknown length or digest), within a bound. */
  async function readBounded(key: string, body: PutBody, putOptions: PutOptions) {
    const chunks: Uint8Array[] = [];
    let size = 0;
    try {
      for await (const chunk of readPutBody(body)) {
        size += chunk.byteLength;
        const problem = oversizeProblem(putOptions, size);
        if (problem !== undefined) throw new IntegrityError(problem, where("put", key));
        if (size > MAX_BUFFERED_BODY) {
          throw new StoreError(
            `a streamed body over ${MAX_BUFFERED_BODY} bytes needs its \`size\` and \`sha256\``,
            where("put", key),
          );
        }
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
    return concatBytes(chunks, size);
  }

  async function prepareBody(key: string, body: PutBody, putOptions: PutOptions) {
    const expectedSha256 = putOptions.sha256?.toLowerCase();
    if (
      typeof body !== "string" &&
      !(body instanceof Uint8Array) &&
      putOptions.size !== undefined &&
      expectedSha256 !== undefined
    ) {
      let mismatch: Error | undefined;
      const { FixedLengthStream } = globalThis as unknown as WorkersStreams;
      const counted = body.pipeThrough(
        countingStream(putOptions.size, (problem) => {
          mismatch = new IntegrityError(problem, where("put", key));
          return mismatch;
        }),
      );
      // R2 checks the sha256 we pass and refuses the object on a mismatch.
      return {
        value: counted.pipeThrough(new FixedLengthStream(putOptions.size)),
        sha256: expectedSha256,
        failure: () => mismatch,
      };
    }
    const bytes = await readBounded(key, body, putOptions);
    const sha256 = toHex(await crypto.subtle.digest("SHA-256", bytes));
    const problem = integrityProblem(putOptions, bytes.byteLength, sha256);
    if (problem !== undefined) throw new IntegrityError(problem, where("put", key));
    return { value: bytes, sha256, failure: () => undefined };
  }

  async function getRange(key: string, range: ByteRange): Promise<StoredObject | null> {
    // R2 answers a range past the end with an error, not a status; resolve it against the
    // current size first, and pin the read to that version with its etag.
    const info = await call("head", key, () => bucket.head(key));
    if (info === null) return null;
    const resolved = resolveRange(range, info.size, { store: R2_STORE_NAME, key });
    const object = await call("get", key, () =>
      bucket.get(key, { range: toR2Range(resolved), onlyIf: { etagMatches: info.etag } }),
    );
    if (object === null) return null;
    if (!("body" in object)) return getRange(key, range);
    const body = (object as R2ObjectBody).body as unknown as ReadableStream<Uint8Array>;
    return { ...toInfo(object), body, range: resolved };
  }

  return {
    name: R2_STORE_NAME,
    capabilities: { conditionalWrites: true },

    async get(key: string, getOptions: GetOptions = {}): Promise<StoredObject | null> {
      assertValidKey(key);
      if (getOptions.range !== undefined) return getRange(key, getOptions.range);
      const object = await call("get", key, () => bucket.get(key));
      if (object === null) return null;
      const body = (object as R2ObjectBody).body as unknown as ReadableStream<Uint8Array>;
      return { ...toInfo(object), body };
    },

    async head(key: string): Promise<ObjectInfo | null> {
      assertValidKey(key);
      const object = await call("head", key, () => bucket.head(key));
      return object === null ? null : toInfo(object);
    },

    async put(key: string, body: PutBody, putOptions: PutOptions = {}): Promise<ObjectInfo> {
      assertValidKey(key);
      assertPutOptions(putOptions);
      const prepared = await prepareBody(key, body, putOptions);
      const r2Options: R2PutOptions = {
        customMetadata: { sha256: prepared.sha256 },
        sha256: prepared.sha256,
        ...(putOptions.contentType === undefined
          ? {}
          : { httpMetadata: { contentType: putOptions.contentType } }),
      };
      if (putOptions.ifNoneMatch === "*") {
        r2Options.onlyIf = new Headers({
          "If-None-Match": "*",
        }) as unknown as R2PutOptions["onlyIf"];
      } else if (putOptions.ifMatch !== undefined) {
        r2Options.onlyIf = { etagMatches: putOptions.ifMatch };
      }
      let written: R2Object | null;
      try {
        written = await bucket.put(key, prepared.value as never, r2Options);
      } catch (error) {
        const mismatch = prepared.failure();
        if (mismatch !== undefined) throw mismatch;
        const message = error instanceof Error ? error.message : String(error);
        if (/checksum|digest/i.test(message)) {
          throw new IntegrityError(`the body does not hash to sha256 ${prepared.sha256}`, {
            ...where("put", key),
            cause: error,
          });
        }
        throw new StoreError(message, { ...where("put", key), cause: error });
      }
      if (written === null) throw new PreconditionFailedError(where("put", key));
      return toInfo(written);
    },

    async delete(keys: readonly string[]): Promise<void> {
      for (const key of keys) assertValidKey(key);
      for (let start = 0; start < keys.length; start += DELETE_BATCH) {
        const batch = keys.slice(start, start + DELETE_BATCH);
        await call("delete", batch[0] ?? "", () => bucket.delete(batch));
      }
    },

    async *list(prefix: string): AsyncIterable<ObjectInfo> {
      assertValidPrefix(prefix);
      const includeInternal = isInternalKey(prefix);
      let cursor: string | undefined;
      do {
        const page: R2Objects = await call("list", prefix, () =>
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
