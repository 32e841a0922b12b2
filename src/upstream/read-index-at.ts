import { parseIndex } from "../core/index.ts";
import { UpstreamError } from "./errors.ts";
import { createHttpTransport } from "./http-transport.ts";
import type { UpstreamVerifyOptions } from "./options.ts";
import { decodeDocument } from "./read-document.ts";
import type { UpstreamIndex } from "./read-index.ts";
import { joinUpstreamUrl, parseUpstreamBase, redactUrl } from "./upstream-url.ts";

/**
 * Reads one index file at a known path — e.g. the legacy `streams/v1/index.sjson` that an
 * exact mirror copies next to `index2.sjson`, which `readUpstreamIndex` never reaches once
 * `index2.sjson` exists. A `.sjson` path must verify against `keys`; any other path is read
 * only with `allowUnsigned`.
 *
 * @throws {UpstreamError} `path`, `signature`, `parse`, `not-found` or any transport failure.
 */
export async function readUpstreamIndexAt(
  base: string,
  path: string,
  options: UpstreamVerifyOptions = {},
): Promise<UpstreamIndex> {
  const root = parseUpstreamBase(base);
  const url = joinUpstreamUrl(root, path, "index path");
  const shown = redactUrl(url);
  const signed = path.endsWith(".sjson");
  if (!signed && options.allowUnsigned !== true) {
    throw new UpstreamError(
      `refusing the unsigned index ${shown}: signed upstream metadata is required; mirror an unsigned upstream with allowUnsigned (CLI --allow-unsigned-upstream, filtered mode only)`,
      { url: shown, reason: "signature" },
    );
  }
  const transport = options.transport ?? createHttpTransport();
  const raw = await transport.read(url, { signal: options.signal });
  return decodeDocument(raw, {
    url: shown,
    path,
    signed,
    keys: options.keys,
    kind: "simplestreams index",
    parse: parseIndex,
  });
}
