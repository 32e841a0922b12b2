import { createHttpTransport } from "./http-transport.ts";
import type { UpstreamRequestOptions } from "./options.ts";
import type { UpstreamObject } from "./transport.ts";
import { joinUpstreamUrl, parseUpstreamBase } from "./upstream-url.ts";

/**
 * Opens an upstream file — an agent tarball named by an item's `path` — as a stream,
 * never buffered: pipe `body` to the store with the size and sha256 the signed metadata
 * claims, which is what makes the bytes trustworthy. Retries cover the request until its
 * headers arrive; a body that stalls longer than the transport's idle timeout errors with
 * `UpstreamError` `timeout`, and the caller decides whether to start again.
 *
 * @throws {UpstreamError} `path` for an unsafe path, `not-found`, `redirect`, or any
 *   other transport failure.
 */
export async function openUpstreamObject(
  base: string,
  path: string,
  options: UpstreamRequestOptions = {},
): Promise<UpstreamObject> {
  const url = joinUpstreamUrl(parseUpstreamBase(base), path, "object path");
  const transport = options.transport ?? createHttpTransport();
  return transport.open(url, { signal: options.signal });
}
