import { type Products, parseProducts } from "../core/index.ts";
import { UpstreamError } from "./errors.ts";
import { createHttpTransport } from "./http-transport.ts";
import type { UpstreamVerifyOptions } from "./options.ts";
import { decodeDocument, type UpstreamDocument } from "./read-document.ts";
import { joinUpstreamUrl, parseUpstreamBase, redactUrl } from "./upstream-url.ts";

export type UpstreamProducts = UpstreamDocument<Products>;

export interface ReadUpstreamProductsOptions extends UpstreamVerifyOptions {
  /** The content id of the index entry that names the file; its `content_id` must match. */
  contentId?: string;
}

/**
 * Reads one product file named by the upstream index (`entry.path`). A `.sjson` path must
 * verify against `keys`; any other path is unsigned and read only with `allowUnsigned`.
 * `path` must be a safe relative path (core's `checkRelativePath`): no `..`, no leading
 * `/`, no percent-encoded dots or slashes.
 *
 * @throws {UpstreamError} `path`, `signature`, `parse` (also when `content_id` differs
 *   from `contentId`), `not-found` or any transport failure.
 */
export async function readUpstreamProducts(
  base: string,
  path: string,
  options: ReadUpstreamProductsOptions = {},
): Promise<UpstreamProducts> {
  const root = parseUpstreamBase(base);
  const url = joinUpstreamUrl(root, path, "product path");
  const shown = redactUrl(url);
  const signed = path.endsWith(".sjson");
  if (!signed && options.allowUnsigned !== true) {
    throw new UpstreamError(
      `refusing the unsigned product file ${shown}: signed upstream metadata is required (a signed index names .sjson product files); mirror an unsigned upstream with allowUnsigned (CLI --allow-unsigned-upstream, filtered mode only)`,
      { url: shown, reason: "signature" },
    );
  }
  const transport = options.transport ?? createHttpTransport();
  const raw = await transport.read(url, { signal: options.signal });
  const products = await decodeDocument(raw, {
    url: shown,
    path,
    signed,
    keys: options.keys,
    kind: "simplestreams product file",
    parse: parseProducts,
  });
  const { contentId } = options;
  if (contentId !== undefined && products.document.content_id !== contentId) {
    throw new UpstreamError(
      `${shown} holds content_id ${JSON.stringify(products.document.content_id ?? null)}, but the index names it for ${JSON.stringify(contentId)}`,
      { url: shown, reason: "parse" },
    );
  }
  return products;
}
