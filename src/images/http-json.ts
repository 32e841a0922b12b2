import { ImageSourceError } from "./images-errors.ts";

/** `fetch` as Workers and Node provide it; Node may pass one that trusts `OS_CACERT`. */
export type FetchFunction = (input: string, init?: RequestInit) => Promise<Response>;

export interface HttpJsonOptions {
  fetch: FetchFunction;
  /** Per request, body included. */
  timeoutMs: number;
  signal?: AbortSignal;
  /** Origin in error messages: `keystone`, `glance`. */
  origin: string;
  /** What is asked, for messages: `Keystone at https://…/v3`. */
  what: string;
}

export interface JsonResponse {
  status: number;
  headers: Headers;
  /** Parsed body; `undefined` when it was empty or not JSON. */
  body: unknown;
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: unknown }).cause;
  const detail = cause instanceof Error ? cause.message : undefined;
  const message = error instanceof Error ? error.message : String(error);
  return detail !== undefined && detail !== message ? `${message} (${detail})` : message;
}

/**
 * One HTTP exchange with a JSON API, bounded by `timeoutMs` and the caller's signal.
 * Network failures and timeouts become `ImageSourceError`s saying who could not be
 * reached; any status is returned for the caller to judge. Request bodies (credentials)
 * never appear in an error.
 */
export async function requestJson(
  url: string,
  init: RequestInit,
  options: HttpJsonOptions,
): Promise<JsonResponse> {
  const timeout = AbortSignal.timeout(options.timeoutMs);
  const signal =
    options.signal === undefined ? timeout : AbortSignal.any([options.signal, timeout]);
  let response: Response;
  let text: string;
  try {
    response = await options.fetch(url, { ...init, signal });
    text = await response.text();
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason;
    if (timeout.aborted) {
      throw new ImageSourceError(
        options.origin,
        `${options.what} did not answer within ${options.timeoutMs / 1000} s`,
        { cause: error },
      );
    }
    throw new ImageSourceError(options.origin, `cannot reach ${options.what}: ${causeOf(error)}`, {
      cause: error,
    });
  }
  let body: unknown;
  if (text.trim() !== "") {
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
  }
  return { status: response.status, headers: response.headers, body };
}

const MAX_DETAIL = 200;

/** The `message` an OpenStack error body carries (`{"error": {"message"}}`, Glance's `{"message"}`), shortened. */
export function errorDetail(body: unknown): string {
  if (typeof body !== "object" || body === null) return "";
  const record = body as Record<string, unknown>;
  const nested = record.error;
  const message =
    typeof nested === "object" && nested !== null
      ? (nested as Record<string, unknown>).message
      : record.message;
  if (typeof message !== "string" || message.trim() === "") return "";
  const flat = message.replace(/\s+/g, " ").trim();
  return `: ${flat.length > MAX_DETAIL ? `${flat.slice(0, MAX_DETAIL)}…` : flat}`;
}
