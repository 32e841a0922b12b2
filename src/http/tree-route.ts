import type { Context } from "hono";
import { RangeNotSatisfiableError } from "../store/errors.ts";
import type { ObjectInfo, ObjectStore, StoredObject } from "../store/object-store.ts";
import { isNotModified, rangeStillValid } from "./conditional.ts";
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
}

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
 * the store's stream goes straight into the response, ranges are read by the store, and
 * only JSON asked for with gzip is re-encoded on the way.
 */
export function createTreeRoute(options: TreeRouteOptions) {
  const { store, metrics, browse } = options;

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
    let object: StoredObject | null;
    try {
      object = await store.get(key, range === undefined ? undefined : { range });
    } catch (error) {
      if (error instanceof RangeNotSatisfiableError) return rangeNotSatisfiable(error.size);
      throw error;
    }
    if (object === null) return notFound();
    const representation = representationFor(key);
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

    if (representation.compressible && acceptsGzip(requestHeaders.get("accept-encoding"))) {
      headers["content-encoding"] = "gzip";
      // Different bytes than the identity encoding, so not the same strong validator.
      headers.etag = `W/"${object.etag}"`;
      const counted = new TransformStream<Uint8Array, Uint8Array>({
        transform(chunk, controller) {
          metrics.recordBytes(chunk.byteLength);
          controller.enqueue(chunk);
        },
      });
      const body = object.body
        .pipeThrough(new CompressionStream("gzip") as ReadableWritablePair<Uint8Array, Uint8Array>)
        .pipeThrough(counted);
      return new Response(body, { status: 200, headers });
    }
    headers["content-length"] = String(object.size);
    metrics.recordBytes(object.size);
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
