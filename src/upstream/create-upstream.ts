import { JUJU_TOOLS_PUBLIC_KEY, parsePublicKeys, type VerificationKeys } from "../signing/index.ts";
import { fetchUpstreamRaw } from "./fetch-raw.ts";
import { createHttpTransport } from "./http-transport.ts";
import { openUpstreamObject } from "./open-object.ts";
import { readUpstreamIndex, type UpstreamIndex } from "./read-index.ts";
import { readUpstreamIndexAt } from "./read-index-at.ts";
import { readUpstreamProducts, type UpstreamProducts } from "./read-products.ts";
import type { UpstreamObject, UpstreamTransport } from "./transport.ts";
import { parseUpstreamBase, redactUrl } from "./upstream-url.ts";

export interface UpstreamOptions {
  /** The `…/juju/tools` URL: `https://streams.canonical.com/juju/tools`, a mirror, `file:///…`. */
  base: string;
  /** Default: `createHttpTransport()`. Use `createFileTransport()` (Node) for `file://`. */
  transport?: UpstreamTransport;
  /** Armored public key(s) to verify against. Default: `JUJU_TOOLS_PUBLIC_KEY`. */
  keys?: VerificationKeys;
  /** See `UpstreamVerifyOptions.allowUnsigned`. Default false. */
  allowUnsigned?: boolean;
}

export interface UpstreamCallOptions {
  signal?: AbortSignal;
}

/** One upstream tree, with its transport and trusted keys bound. */
export interface Upstream {
  /** The base URL, normalised (no trailing slash), credentials removed. */
  readonly url: string;
  /** See `readUpstreamIndex`. */
  readIndex(options?: UpstreamCallOptions): Promise<UpstreamIndex>;
  /** See `readUpstreamIndexAt`: the index at exactly `path` (e.g. `streams/v1/index.sjson`). */
  readIndexAt(path: string, options?: UpstreamCallOptions): Promise<UpstreamIndex>;
  /** See `readUpstreamProducts`; `contentId` checks the file's `content_id`. */
  readProducts(
    path: string,
    options?: UpstreamCallOptions & { contentId?: string },
  ): Promise<UpstreamProducts>;
  /** See `fetchUpstreamRaw`. */
  fetchRaw(path: string, options?: UpstreamCallOptions): Promise<Uint8Array>;
  /** See `openUpstreamObject`. */
  openObject(path: string, options?: UpstreamCallOptions): Promise<UpstreamObject>;
}

/**
 * Binds a base URL, a transport and the trusted keys once, for a sync that reads many files
 * from the same upstream (keys are parsed once, on first use).
 *
 * @throws {TypeError} when `base` is not an http(s):// or file:// URL.
 */
export function createUpstream(options: UpstreamOptions): Upstream {
  const base = parseUpstreamBase(options.base);
  const transport = options.transport ?? createHttpTransport();
  const allowUnsigned = options.allowUnsigned ?? false;
  let keys: ReturnType<typeof parsePublicKeys> | undefined;
  const trustedKeys = () => {
    keys ??= parsePublicKeys(options.keys ?? JUJU_TOOLS_PUBLIC_KEY);
    return keys;
  };
  return {
    url: redactUrl(base),
    readIndex: async function readIndex(call = {}) {
      return readUpstreamIndex(base, {
        transport,
        allowUnsigned,
        keys: await trustedKeys(),
        signal: call.signal,
      });
    },
    readIndexAt: async function readIndexAt(path, call = {}) {
      return readUpstreamIndexAt(base, path, {
        transport,
        allowUnsigned,
        keys: await trustedKeys(),
        signal: call.signal,
      });
    },
    readProducts: async function readProducts(path, call = {}) {
      return readUpstreamProducts(base, path, {
        transport,
        allowUnsigned,
        keys: await trustedKeys(),
        signal: call.signal,
        contentId: call.contentId,
      });
    },
    fetchRaw: function fetchRaw(path, call = {}) {
      return fetchUpstreamRaw(base, path, { transport, signal: call.signal });
    },
    openObject: function openObject(path, call = {}) {
      return openUpstreamObject(base, path, { transport, signal: call.signal });
    },
  };
}
