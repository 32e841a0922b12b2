import type { Context } from "hono";
import { RangeNotSatisfiableError, StoreError } from "../store/errors.ts";
import type { ObjectInfo, ObjectStore, StoredObject } from "../store/object-store.ts";
import { readBodyBytes } from "./body-bytes.ts";
import { isNotModified, rangeStillValid } from "./conditional.ts";
import type { GzipCache } from "./gzip-cache.ts";
import type { Metrics } from "./metrics.ts";
import { methodNotAllowed, notFound, plainText } from "./plain-responses.ts";
import { parseRange } from "./range.ts";
import { acceptsGzip, type Representation, representationFor } from "./representation.ts";
import { parseTreePath, rawPathOf } from "./tree-path.ts";

export interface TreeRouteOptions {
  store: ObjectStore;
  metrics: Metrics;
  /** Answers `/` and paths ending in `/` (`prefix` is `""` or ends with `/`). */
  browse: (c: Context, prefix: string) => Promise<Response>;
  gzipCache: GzipCache;
}

/**
 * Bodies up to this size are read whole and answered as bytes: @hono/node-server then
 * writes headers and body in one go, where a stream costs a write for the headers and
 * one per chunk. Index files and small product files are this small.
 */
const BUFFERED_BODY_BYTES = 64 * 1024;

function objectHeaders(info: ObjectInfo, representation: Representation): Record<string, string> {
  const headers: Record<string, string> = {
    "content-type": representation.contentType,
    "cache-control": representation.cacheControl,
    etag: `"${info.etag}"`,
    "last-modified": info.lastModified.toUTCString(),
    "accept-ranges": "bytes",
    "x-content-type-options": "nosniff",
  };
  // Even an identity answer varies: a cache must not hand it to a gzip client or back.
  if (representation.compressible) headers.vary = "Accept-Encoding";
  return headers;
}

/**
 * Init of a gzip answer. Workers compress a body themselves when the response says
 * `Content-Encoding: gzip` unless told it is already encoded: without this, JSON left a
 * Worker gzipped twice (found by `npm run bench:serve`). Node ignores the field.
 * https://developers.cloudflare.com/workers/runtime-apis/response/#parameters
 */
function gzipInit(headers: Record<string, string>): ResponseInit {
  const init: ResponseInit & { encodeBody: "manual" } = {
    status: 200,
    headers: gzipHeaders(headers),
    encodeBody: "manual",
  };
  return init;
}

/** The headers of a gzip answer: no length (known only once compressed) and a weak etag. */
function gzipHeaders(headers: Record<string, string>): Record<string, string> {
  headers["content-encoding"] = "gzip";
  // Different bytes than the identity encoding, so not the same strong validator.
  headers.etag = `W/${headers.etag}`;
  return headers;
}

function notModified(headers: Record<string, string>): Response {
  delete headers["content-type"];
  return new Response(null, { status: 304, headers });
}

const REJECTED_TEXT = { 400: "Bad Request", 414: "URI Too Long" } as const;

function discard(object: StoredObject): void {
  object.body.cancel().catch(() => {});
}

function rangeNotSatisfiable(size: number): Response {
  return plainText(416, "416 Range Not Satisfiable", { "content-range": `bytes */${size}` });
}

/**
 * Serves tree objects with one store call per request (`get` for GET, `head` for HEAD):
 * the store's stream goes straight into the response (small bodies are read whole
 * first), ranges are read by the store, and only JSON asked for with gzip is re-encoded
 * on the way. Gzip output of files up to `gzipCache.maxInputBytes` is kept: a request
 * for a kept file costs a `head` instead, plus the `get` when the file has changed.
 */
export function createTreeRoute(options: TreeRouteOptions) {
  const { store, metrics, browse, gzipCache } = options;

  /** All of a small body; a stream that ends early or runs long fails the request (503). */
  async function wholeBody(object: StoredObject): Promise<Uint8Array<ArrayBuffer>> {
    const bytes = await readBodyBytes(object.body);
    if (bytes.byteLength !== object.size) {
      throw new StoreError(`the body had ${bytes.byteLength} bytes, not ${object.size}`, {
        store: store.name,
        operation: "get",
        key: object.key,
      });
    }
    return bytes;
  }

  function gzipped(bytes: Uint8Array<ArrayBuffer>, headers: Record<string, string>): Response {
    metrics.recordBytes(bytes.byteLength);
    return new Response(bytes, gzipInit(headers));
  }

  /**
   * A gzip answer from the cache when the kept version is still current, checked with a
   * `head`; `undefined` sends the caller to the store (a second call only right after
   * the object changed).
   */
  async function cachedGzip(key: string, request: Request): Promise<Response | undefined> {
    const info = await store.head(key);
    if (info === null) return notFound();
    const headers = objectHeaders(info, representationFor(key));
    if (isNotModified(request.headers, info.etag, info.lastModified)) return notModified(headers);
    const bytes = gzipCache.get(key, info.etag);
    return bytes === undefined ? undefined : gzipped(bytes, headers);
  }

  async function headObject(key: string, request: Request): Promise<Response> {
    const info = await store.head(key);
    if (info === null) return notFound();
    const headers = objectHeaders(info, representationFor(key));
    if (isNotModified(request.headers, info.etag, info.lastModified)) return notModified(headers);
    // HEAD answers as the identity encoding so it can state the length; a GET with gzip
    // differs only in Content-Encoding and a weak ETag.
    headers["content-length"] = String(info.size);
    return new Response(null, { status: 200, headers });
  }

  async function getObject(key: string, request: Request): Promise<Response> {
    const requestHeaders = request.headers;
    const range = parseRange(requestHeaders.get("range"));
    const representation = representationFor(key);
    const gzip = representation.compressible && acceptsGzip(requestHeaders.get("accept-encoding"));
    if (gzip && range === undefined && gzipCache.has(key)) {
      const cached = await cachedGzip(key, request);
      if (cached !== undefined) return cached;
    }
    let object: StoredObject | null;
    try {
      object = await store.get(key, range === undefined ? undefined : { range });
    } catch (error) {
      if (error instanceof RangeNotSatisfiableError) return rangeNotSatisfiable(error.size);
      throw error;
    }
    if (object === null) return notFound();
    const headers = objectHeaders(object, representation);
    if (isNotModified(requestHeaders, object.etag, object.lastModified)) {
      discard(object);
      return notModified(headers);
    }

    if (object.range !== undefined) {
      if (rangeStillValid(requestHeaders.get("if-range"), object.etag, object.lastModified)) {
        const { offset, length } = object.range;
        if (length === 0) {
          discard(object);
          return rangeNotSatisfiable(object.size);
        }
        headers["content-range"] = `bytes ${offset}-${offset + length - 1}/${object.size}`;
        headers["content-length"] = String(length);
        metrics.recordBytes(length);
        return new Response(object.body, { status: 206, headers });
      }
      // The client's copy is stale: it gets the whole current object instead.
      discard(object);
      object = await store.get(key);
      if (object === null) return notFound();
      Object.assign(headers, objectHeaders(object, representation));
    }

    if (gzip) {
      if (object.size <= gzipCache.maxInputBytes) {
        return gzipped(await gzipCache.compress(key, object.etag, object.body), headers);
      }
      const counted = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          metrics.recordBytes(chunk.byteLength);
          controller.enqueue(chunk);
        },
      });
      const body = object.body
        .pipeThrough(new CompressionStream("gzip") as ReadableWritablePair<Uint8Array, Uint8Array>)
        .pipeThrough(counted);
      return new Response(body, gzipInit(headers));
    }
    headers["content-length"] = String(object.size);
    metrics.recordBytes(object.size);
    if (object.size <= BUFFERED_BODY_BYTES) {
      return new Response(await wholeBody(object), { status: 200, headers });
    }
    return new Response(object.body, { status: 200, headers });
  }

  return async function serveTree(c: Context): Promise<Response> {
    const request = c.req.raw;
    const method = request.method;
    if (method !== "GET" && method !== "HEAD") return methodNotAllowed("GET, HEAD");
    const path = parseTreePath(rawPathOf(request.url));
    switch (path.kind) {
      case "rejected":
        if (path.status === 404) return notFound();
        return plainText(
          path.status,
          `${path.status} ${REJECTED_TEXT[path.status]}: ${path.reason}`,
        );
      case "directory":
        return browse(c, path.prefix);
      case "object":
        return method === "HEAD" ? headObject(path.key, request) : getObject(path.key, request);
    }
  };
}
