/**
 * @module
 * Reading a remote simplestreams tree — `https://streams.canonical.com/juju/tools`, a
 * mirror, or (through a transport) `file://` — the way Juju does, with every signature
 * checked and every document parsed by core before anyone acts on it. Runtime-neutral
 * (web `fetch`, web streams, Web Crypto through openpgp): runs in Workers and on Node.
 * The Node-only `createFileTransport` lives in `./file-transport.ts` and is deliberately
 * not re-exported.
 */
export { type Sleep, sleep } from "./backoff.ts";
export type { Upstream, UpstreamCallOptions, UpstreamOptions } from "./create-upstream.ts";
export { createUpstream } from "./create-upstream.ts";
export type { UpstreamErrorOptions, UpstreamErrorReason } from "./errors.ts";
export { isUpstreamError, UpstreamError } from "./errors.ts";
export { fetchUpstreamRaw } from "./fetch-raw.ts";
export type { HttpTransportOptions, RetryEvent } from "./http-transport.ts";
export { createHttpTransport } from "./http-transport.ts";
export { openUpstreamObject } from "./open-object.ts";
export type { UpstreamRequestOptions, UpstreamVerifyOptions } from "./options.ts";
export type { UpstreamDocument, UpstreamSignature } from "./read-document.ts";
export type { UpstreamIndex } from "./read-index.ts";
export { readUpstreamIndex, SIGNED_INDEX_PATHS, UNSIGNED_INDEX_PATHS } from "./read-index.ts";
export { readUpstreamIndexAt } from "./read-index-at.ts";
export type { ReadUpstreamProductsOptions, UpstreamProducts } from "./read-products.ts";
export { readUpstreamProducts } from "./read-products.ts";
export type { TransportRequestOptions, UpstreamObject, UpstreamTransport } from "./transport.ts";
export { DEFAULT_MAX_METADATA_BYTES } from "./transport.ts";
export { joinUpstreamUrl, parseUpstreamBase, redactUrl } from "./upstream-url.ts";
