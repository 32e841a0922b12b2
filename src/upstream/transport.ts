/** Per-request options every transport accepts. */
export interface TransportRequestOptions {
  /** Aborts the request (and any retry wait); the promise rejects with the signal's reason. */
  signal?: AbortSignal;
}

/** An upstream file opened for streaming. */
export interface UpstreamObject {
  /** The URL read, credentials removed. */
  url: string;
  /**
   * The bytes, streamed as they arrive — never buffered whole. Read it to the end or cancel
   * it: an abandoned body holds a connection. Errors with an `UpstreamError` (reason
   * `timeout`) when the upstream stalls between chunks.
   */
  body: ReadableStream<Uint8Array>;
  /** Byte count announced by the upstream (Content-Length, file size), when it is known. */
  size: number | undefined;
}

/**
 * How streamgate reaches an upstream tree: `createHttpTransport` (web `fetch`, every
 * runtime) or `createFileTransport` (Node, `file://`). A transport owns the I/O policy —
 * timeouts, retries, redirects, the metadata size limit — and throws `UpstreamError` for
 * every failure, so the readers above it only verify and parse.
 *
 * Implement it to read from somewhere else (a test double, a bundle); `url` is always an
 * absolute URL built by `joinUpstreamUrl`.
 */
export interface UpstreamTransport {
  /** Reads a whole metadata file; refuses one larger than the transport's metadata limit. */
  read(url: string, options?: TransportRequestOptions): Promise<Uint8Array>;
  /** Opens a file (an agent tarball) for streaming. */
  open(url: string, options?: TransportRequestOptions): Promise<UpstreamObject>;
}

/** 64 MiB: Canonical's largest agent product file is a few MB; anything this big is not metadata. */
export const DEFAULT_MAX_METADATA_BYTES = 64 * 1024 * 1024;
