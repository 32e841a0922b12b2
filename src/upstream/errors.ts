/**
 * Why reading the upstream failed, in words a sync report and an operator can act on:
 *
 * - `not-found`: 404/410 (or a missing `file://` file).
 * - `http-status`: any other non-200 answer; retried when it is a 5xx.
 * - `network`: the request failed below HTTP (refused, reset, DNS) or a local read failed.
 * - `timeout`: no response headers in time, or the body stalled between chunks.
 * - `too-large`: a metadata file exceeds the transport's `maxMetadataBytes`.
 * - `redirect`: a redirect to another origin (or too many hops) was refused.
 * - `signature`: not signed, signed by an untrusted key, altered, or unsigned where signed
 *   metadata was required.
 * - `parse`: not valid JSON, or not a valid `index:1.0` / `products:1.0` document.
 * - `path`: a metadata path that is not a safe relative path under the base.
 */
export type UpstreamErrorReason =
  | "not-found"
  | "http-status"
  | "network"
  | "timeout"
  | "too-large"
  | "redirect"
  | "signature"
  | "parse"
  | "path";

export interface UpstreamErrorOptions {
  /** The URL concerned, credentials removed. */
  url: string;
  reason: UpstreamErrorReason;
  /** HTTP status, when the upstream answered one. */
  status?: number;
  /** Requests made before giving up (1 when not retried). */
  attempts?: number;
  cause?: unknown;
}

const RETRYABLE: ReadonlySet<UpstreamErrorReason> = new Set(["network", "timeout"]);

/**
 * Any failure to read the upstream. `reason` says which kind; `retryable` says whether the
 * same request may succeed later (network failures, timeouts, 5xx) — never for a 4xx, a
 * refused redirect, an oversized file, a bad signature or a broken document.
 */
export class UpstreamError extends Error {
  readonly url: string;
  readonly reason: UpstreamErrorReason;
  readonly status: number | undefined;
  readonly attempts: number;
  readonly retryable: boolean;
  /** The message without the `[streamgate] [upstream]` prefix and attempt count. */
  readonly detail: string;

  constructor(detail: string, options: UpstreamErrorOptions) {
    const attempts = options.attempts ?? 1;
    const tries = attempts > 1 ? ` (gave up after ${attempts} attempts)` : "";
    super(`[streamgate] [upstream] ${detail}${tries}`, { cause: options.cause });
    this.name = "UpstreamError";
    this.url = options.url;
    this.reason = options.reason;
    this.status = options.status;
    this.attempts = attempts;
    this.detail = detail;
    this.retryable =
      RETRYABLE.has(options.reason) ||
      (options.reason === "http-status" && options.status !== undefined && options.status >= 500);
  }

  /** The same error, saying how many attempts were made. */
  withAttempts(attempts: number): UpstreamError {
    return new UpstreamError(this.detail, {
      url: this.url,
      reason: this.reason,
      status: this.status,
      attempts,
      cause: this.cause,
    });
  }
}

export function isUpstreamError(
  error: unknown,
  reason?: UpstreamErrorReason,
): error is UpstreamError {
  return error instanceof UpstreamError && (reason === undefined || error.reason === reason);
}

/** A nested streamgate error's message without its `[streamgate] [origin]` prefixes. */
export function stripOrigin(message: string): string {
  return message.replace(/^(?:\[[^\]]*\] )+/, "");
}
