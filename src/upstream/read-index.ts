import { type Index, parseIndex } from "../core/index.ts";
import { isUpstreamError, UpstreamError } from "./errors.ts";
import { createHttpTransport } from "./http-transport.ts";
import type { UpstreamVerifyOptions } from "./options.ts";
import { decodeDocument, type UpstreamDocument } from "./read-document.ts";
import type { UpstreamTransport } from "./transport.ts";
import { joinUpstreamUrl, parseUpstreamBase, redactUrl } from "./upstream-url.ts";

export type UpstreamIndex = UpstreamDocument<Index>;

/** Where Juju looks for a signed index, in order (juju-contract §1). */
export const SIGNED_INDEX_PATHS: readonly string[] = [
  "streams/v1/index2.sjson",
  "streams/v1/index.sjson",
];

/** The unsigned twins, tried only when unsigned metadata is allowed. */
export const UNSIGNED_INDEX_PATHS: readonly string[] = [
  "streams/v1/index2.json",
  "streams/v1/index.json",
];

async function readFirstPresent(
  root: string,
  paths: readonly string[],
  transport: UpstreamTransport,
  signal: AbortSignal | undefined,
  missing: string[],
): Promise<{ path: string; url: string; raw: Uint8Array } | undefined> {
  for (const path of paths) {
    const url = joinUpstreamUrl(root, path);
    try {
      return { path, url, raw: await transport.read(url, { signal }) };
    } catch (error) {
      if (!isUpstreamError(error, "not-found")) throw error;
      missing.push(error.url);
    }
  }
  return undefined;
}

/**
 * Reads the upstream's index the way Juju does: `streams/v1/index2.sjson`, then
 * `index.sjson` (the legacy index, released tools only), and — only with `allowUnsigned` —
 * `index2.json`, then `index.json`. Only "not found" moves on to the next file; any other
 * failure (5xx after retries, a bad signature) stops the read.
 *
 * `base` is the `…/juju/tools` URL, e.g. `https://streams.canonical.com/juju/tools`.
 *
 * @throws {UpstreamError} `not-found` when no index exists; `signature` when the index is
 *   not validly signed by `keys`, or only an unsigned index exists and `allowUnsigned` is
 *   off; `parse` when it is not a valid `index:1.0` document; any transport failure.
 * @throws {TypeError} when `base` is not an http(s):// or file:// URL.
 */
export async function readUpstreamIndex(
  base: string,
  options: UpstreamVerifyOptions = {},
): Promise<UpstreamIndex> {
  const root = parseUpstreamBase(base);
  const { signal, allowUnsigned = false } = options;
  const transport = options.transport ?? createHttpTransport();
  const missing: string[] = [];
  const paths = allowUnsigned
    ? [...SIGNED_INDEX_PATHS, ...UNSIGNED_INDEX_PATHS]
    : SIGNED_INDEX_PATHS;
  const found = await readFirstPresent(root, paths, transport, signal, missing);
  if (found !== undefined) {
    return decodeDocument(found.raw, {
      url: redactUrl(found.url),
      path: found.path,
      signed: found.path.endsWith(".sjson"),
      keys: options.keys,
      kind: "simplestreams index",
      parse: parseIndex,
    });
  }
  const tried = missing.join(", ");
  if (!allowUnsigned) {
    const unsigned = await readFirstPresent(
      root,
      UNSIGNED_INDEX_PATHS,
      transport,
      signal,
      [],
    ).catch((error: unknown) => {
      if (signal?.aborted) throw error;
      return undefined;
    });
    if (unsigned !== undefined) {
      const shown = redactUrl(unsigned.url);
      throw new UpstreamError(
        `no signed index (not found: ${tried}), only the unsigned ${shown}; signed upstream metadata is required — mirror an unsigned upstream with allowUnsigned (CLI --allow-unsigned-upstream, filtered mode only)`,
        { url: shown, reason: "signature" },
      );
    }
  }
  throw new UpstreamError(
    `no simplestreams index found (not found: ${tried}); the upstream URL must be the …/juju/tools base that holds streams/v1/`,
    { url: missing[0] ?? redactUrl(root), reason: "not-found" },
  );
}
