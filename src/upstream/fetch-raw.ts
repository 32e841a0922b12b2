import { createHttpTransport } from "./http-transport.ts";
import type { UpstreamRequestOptions } from "./options.ts";
import { joinUpstreamUrl, parseUpstreamBase } from "./upstream-url.ts";

/**
 * The bytes of one metadata file exactly as served, unverified — what exact mode copies
 * (both the `.sjson` and the `.json` twin). Bounded by the transport's metadata limit.
 * Verify what you publish: read the signed twin with `readUpstreamIndex` /
 * `readUpstreamProducts` and compare.
 *
 * @throws {UpstreamError} `path` for an unsafe path, `not-found`, or any transport failure.
 */
export async function fetchUpstreamRaw(
  base: string,
  path: string,
  options: UpstreamRequestOptions = {},
): Promise<Uint8Array> {
  const url = joinUpstreamUrl(parseUpstreamBase(base), path);
  const transport = options.transport ?? createHttpTransport();
  return transport.read(url, { signal: options.signal });
}
