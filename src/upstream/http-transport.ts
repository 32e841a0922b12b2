import { backoffDelay, sleep as defaultSleep, type Sleep } from "./backoff.ts";
import { UpstreamError } from "./errors.ts";
import { withIdleTimeout } from "./idle-timeout.ts";
import { formatBytes, readBounded } from "./read-bounded.ts";
import {
  DEFAULT_MAX_METADATA_BYTES,
  type TransportRequestOptions,
  type UpstreamObject,
  type UpstreamTransport,
} from "./transport.ts";
import { redactUrl } from "./upstream-url.ts";

/** One retry about to happen, for logs and progress output. */
export interface RetryEvent {
  /** Credentials removed. */
  url: string;
  /** 1 for the first retry. */
  retry: number;
  delayMs: number;
  /** Why the previous attempt failed. */
  error: UpstreamError;
}

export interface HttpTransportOptions {
  /** The `fetch` to use. Default: the runtime's global `fetch`. */
  fetch?: typeof fetch;
  /** Longest wait for response headers, per attempt. Default 30 000 ms. */
  timeoutMs?: number;
  /** Longest wait for the next body chunk once headers arrived. Default 30 000 ms. */
  idleTimeoutMs?: number;
  /**
   * Retries after a failed attempt (network error, timeout, 5xx) — never after a 4xx, a
   * refused redirect or an oversized file. Default 3, so at most 4 requests. A tarball is
   * retried only until its headers arrive: once `open` returned, the caller owns the body.
   */
  retries?: number;
  /** Wait before the first retry; doubles for each further one. Default 1 000 ms. */
  retryDelayMs?: number;
  /** Cap on the wait between retries. Default 30 000 ms. */
  maxRetryDelayMs?: number;
  /** Largest metadata file `read` accepts, enforced while reading. Default 64 MiB. */
  maxMetadataBytes?: number;
  /** Same-origin redirects followed per request; 0 refuses every redirect. Default 5. */
  maxRedirects?: number;
  /** Default `streamgate`. */
  userAgent?: string;
  /** Waits between retries; tests inject one that records delays instead of waiting. */
  sleep?: Sleep;
  /** Called before each retry. */
  onRetry?: (event: RetryEvent) => void;
}

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);
const NOT_FOUND_STATUSES: ReadonlySet<number> = new Set([404, 410]);

interface Opened {
  response: Response;
  /** Aborts the underlying request (and so its body). */
  abort(reason: unknown): void;
  /** Forgets the caller's signal once the body is done with. */
  release(): void;
}

function checkDuration(name: string, value: number): void {
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new TypeError(
      `Expected \`${name}\` to be a number of milliseconds above 0, got ${value}`,
    );
  }
}

function checkCount(name: string, value: number, min: number): void {
  if (!Number.isSafeInteger(value) || value < min) {
    throw new TypeError(`Expected \`${name}\` to be an integer from ${min} and up, got ${value}`);
  }
}

function describeFetchError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? error.cause : undefined;
  const code = (cause as { code?: unknown } | undefined)?.code;
  const detail =
    cause === undefined ? "" : `: ${typeof code === "string" ? `${code} ` : ""}${cause.message}`;
  return `${error.message}${detail}`;
}

function contentLength(response: Response): number | undefined {
  const header = response.headers.get("content-length");
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header);
}

function emptyBody(): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      controller.close();
    },
  });
}

/**
 * `https://user:pass@host/…` → the URL without credentials (fetch refuses them) and a Basic
 * `Authorization` header. Safe to send on every hop: redirects never leave the origin.
 */
function splitCredentials(url: string): { url: string; authorization: string | undefined } {
  const parsed = new URL(url);
  if (parsed.username === "" && parsed.password === "") return { url, authorization: undefined };
  const userPass = `${decodeURIComponent(parsed.username)}:${decodeURIComponent(parsed.password)}`;
  parsed.username = "";
  parsed.password = "";
  const bytes = new TextEncoder().encode(userPass);
  return {
    url: parsed.href,
    authorization: `Basic ${btoa(String.fromCharCode(...bytes))}`,
  };
}

function discard(opened: Opened): void {
  opened.release();
  opened.response.body?.cancel().catch(() => undefined);
}

/**
 * A transport over web `fetch` — the same code in Workers and on Node — for `http://` and
 * `https://` upstreams.
 *
 * Redirects are followed only within the same origin (scheme, host and port), at most
 * `maxRedirects` hops: a mirror may move its tree under its own host, but streamgate never
 * lets an upstream send it to another host (the upstream URL is the operator's trust
 * decision, and in Workers an open redirect would make the mirror fetch anything). The
 * bytes' integrity never depends on the host anyway — sha256 and size come from signed
 * metadata. Metadata may arrive gzip-encoded (fetch decodes it); tarballs are asked for
 * with `Accept-Encoding: identity` so size and sha256 are those of the `.tgz` itself.
 */
export function createHttpTransport(options: HttpTransportOptions = {}): UpstreamTransport {
  const {
    timeoutMs = 30_000,
    idleTimeoutMs = 30_000,
    retries = 3,
    retryDelayMs = 1_000,
    maxRetryDelayMs = 30_000,
    maxMetadataBytes = DEFAULT_MAX_METADATA_BYTES,
    maxRedirects = 5,
    userAgent = "streamgate",
    sleep = defaultSleep,
    onRetry,
  } = options;
  checkDuration("timeoutMs", timeoutMs);
  checkDuration("idleTimeoutMs", idleTimeoutMs);
  checkCount("retries", retries, 0);
  checkCount("retryDelayMs", retryDelayMs, 0);
  checkCount("maxRetryDelayMs", maxRetryDelayMs, 0);
  checkCount("maxMetadataBytes", maxMetadataBytes, 1);
  checkCount("maxRedirects", maxRedirects, 0);
  if (options.fetch !== undefined && typeof options.fetch !== "function") {
    throw new TypeError("Expected `fetch` to be a function");
  }
  // Called unbound: Workers' global fetch throws "Illegal invocation" on another `this`.
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));

  async function requestOnce(
    url: string,
    headers: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<Opened> {
    signal?.throwIfAborted();
    const controller = new AbortController();
    const onAbort = () => controller.abort(signal?.reason);
    signal?.addEventListener("abort", onAbort, { once: true });
    const release = () => signal?.removeEventListener("abort", onAbort);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`no response headers within ${timeoutMs} ms`));
    }, timeoutMs);
    try {
      const response = await fetchImpl(url, {
        method: "GET",
        headers,
        redirect: "manual",
        signal: controller.signal,
      });
      return { response, abort: (reason) => controller.abort(reason), release };
    } catch (error) {
      release();
      if (signal?.aborted) throw signal.reason;
      const shown = redactUrl(url);
      if (timedOut) {
        throw new UpstreamError(
          `no response from ${shown} within ${timeoutMs} ms (timeoutMs); the upstream or the network path to it is too slow or down`,
          { url: shown, reason: "timeout", cause: error },
        );
      }
      throw new UpstreamError(`cannot reach ${shown}: ${describeFetchError(error)}`, {
        url: shown,
        reason: "network",
        cause: error,
      });
    } finally {
      clearTimeout(timer);
    }
  }

  async function request(
    url: string,
    baseHeaders: Record<string, string>,
    signal: AbortSignal | undefined,
  ): Promise<Opened> {
    const { url: start, authorization } = splitCredentials(url);
    const headers = authorization ? { ...baseHeaders, authorization } : baseHeaders;
    let current = start;
    for (let hops = 0; ; hops++) {
      const opened = await requestOnce(current, headers, signal);
      const { status, statusText } = opened.response;
      if (status === 200) return opened;
      discard(opened);
      const shown = redactUrl(current);
      if (REDIRECT_STATUSES.has(status)) {
        current = nextHop(url, current, opened.response, hops);
        continue;
      }
      const answer = `HTTP ${status}${statusText ? ` ${statusText}` : ""}`;
      if (NOT_FOUND_STATUSES.has(status)) {
        throw new UpstreamError(`not found: ${shown} (${answer})`, {
          url: shown,
          reason: "not-found",
          status,
        });
      }
      throw new UpstreamError(`${shown} answered ${answer}; expected 200 OK`, {
        url: shown,
        reason: "http-status",
        status,
      });
    }
  }

  function nextHop(original: string, current: string, response: Response, hops: number): string {
    const shown = redactUrl(current);
    const { status } = response;
    const location = response.headers.get("location");
    let target: URL | undefined;
    try {
      target = location === null ? undefined : new URL(location, current);
    } catch {
      target = undefined;
    }
    if (target === undefined) {
      throw new UpstreamError(
        `${shown} answered a redirect (HTTP ${status}) without a usable Location header (${JSON.stringify(location)})`,
        { url: shown, reason: "redirect", status },
      );
    }
    const from = new URL(current);
    if (target.origin !== from.origin) {
      throw new UpstreamError(
        `${shown} redirects (HTTP ${status}) to ${redactUrl(target.href)}, which is on another origin; streamgate follows redirects only within ${from.origin} — if that host is trusted, use it as the upstream URL directly`,
        { url: shown, reason: "redirect", status },
      );
    }
    if (hops >= maxRedirects) {
      throw new UpstreamError(
        `${redactUrl(original)} redirects more than ${maxRedirects} times (maxRedirects); last hop ${shown} → ${redactUrl(target.href)}`,
        { url: redactUrl(original), reason: "redirect", status },
      );
    }
    return target.href;
  }

  async function withRetries<T>(
    url: string,
    signal: AbortSignal | undefined,
    attempt: () => Promise<T>,
  ): Promise<T> {
    for (let retry = 0; ; retry++) {
      try {
        return await attempt();
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error;
        if (!error.retryable || retry >= retries || signal?.aborted) {
          throw retry > 0 ? error.withAttempts(retry + 1) : error;
        }
        const delayMs = backoffDelay(retry, retryDelayMs, maxRetryDelayMs);
        onRetry?.({ url: redactUrl(url), retry: retry + 1, delayMs, error });
        await sleep(delayMs, signal);
      }
    }
  }

  function guardedBody(
    opened: Opened,
    url: string,
    signal: AbortSignal | undefined,
  ): ReadableStream<Uint8Array> {
    const shown = redactUrl(url);
    return withIdleTimeout(opened.response.body ?? emptyBody(), {
      idleTimeoutMs,
      onIdle(bytesRead) {
        const error = new UpstreamError(
          `${shown} stalled: no data for ${idleTimeoutMs} ms (idleTimeoutMs) after ${bytesRead} bytes`,
          { url: shown, reason: "timeout" },
        );
        opened.abort(error);
        return error;
      },
      mapError(error, bytesRead) {
        if (signal?.aborted) return signal.reason;
        if (error instanceof UpstreamError) return error;
        return new UpstreamError(
          `${shown} failed after ${bytesRead} bytes of the body: ${describeFetchError(error)}`,
          { url: shown, reason: "network", cause: error },
        );
      },
      onSettled: opened.release,
    });
  }

  function checkUrl(url: string): void {
    if (!/^https?:\/\//i.test(url)) {
      throw new TypeError(
        `[streamgate] [upstream] the HTTP transport reads http:// and https:// URLs only, got ${JSON.stringify(redactUrl(url))}${url.startsWith("file:") ? "; use createFileTransport() from src/upstream/file-transport.ts for file:// trees" : ""}`,
      );
    }
  }

  return {
    read: async function readOverHttp(url: string, requestOptions: TransportRequestOptions = {}) {
      checkUrl(url);
      const { signal } = requestOptions;
      const shown = redactUrl(url);
      const tooLarge = (bytes: number, announced: boolean) =>
        new UpstreamError(
          `${shown} is larger than the ${formatBytes(maxMetadataBytes)} allowed for a metadata file (maxMetadataBytes): ${announced ? `it announces ${bytes} bytes` : `stopped after reading ${bytes} bytes`}; is the upstream URL right?`,
          { url: shown, reason: "too-large" },
        );
      return withRetries(url, signal, async () => {
        const opened = await request(url, { "user-agent": userAgent }, signal);
        const announced = contentLength(opened.response);
        if (announced !== undefined && announced > maxMetadataBytes) {
          discard(opened);
          throw tooLarge(announced, true);
        }
        return readBounded(guardedBody(opened, url, signal), maxMetadataBytes, (bytes) =>
          tooLarge(bytes, false),
        );
      });
    },
    open: async function openOverHttp(
      url: string,
      requestOptions: TransportRequestOptions = {},
    ): Promise<UpstreamObject> {
      checkUrl(url);
      const { signal } = requestOptions;
      const opened = await withRetries(url, signal, () =>
        request(url, { "accept-encoding": "identity", "user-agent": userAgent }, signal),
      );
      const encoding = opened.response.headers.get("content-encoding");
      const identity = encoding === null || encoding.trim().toLowerCase() === "identity";
      return {
        url: redactUrl(url),
        body: guardedBody(opened, url, signal),
        size: identity ? contentLength(opened.response) : undefined,
      };
    },
  };
}
