import { concatBytes } from "../core/index.ts";
import { DEFAULT_MAX_METADATA_BYTES } from "../upstream/index.ts";

/**
 * How a metadata file answered, in the terms that decide what Juju does with it
 * (juju/juju environs/simplestreams datasource.go): 404 and 401 are "not found" and Juju
 * tries the next file or source; any other failure is an error that breaks the load.
 *
 * - `ok`: 200 with a body that may be metadata.
 * - `missing`: 404 or 401.
 * - `soft-404`: 200 with an HTML page — a server hiding a missing file; Juju tries to
 *   parse the page and fails.
 * - `bad-status`: any other status (403, 5xx…).
 * - `unreachable`: no HTTP answer at all (connection refused, DNS, TLS, reset).
 * - `too-large`: more than a metadata file can be.
 */
export type AnswerKind = "ok" | "missing" | "soft-404" | "bad-status" | "unreachable" | "too-large";

export interface MetadataAnswer {
  /** Relative to the metadata base. */
  path: string;
  url: string;
  /** HTTP status; 0 when there was no answer. */
  status: number;
  kind: AnswerKind;
  /** The body for `ok` (and `soft-404`); empty otherwise. */
  bytes: Uint8Array;
  /** What went wrong, for anything but `ok` and `missing`. */
  detail: string | undefined;
}

/** Answers of one verify run, shared so the tree walk and every lookup read the same bytes. */
export type MetadataCache = Map<string, Promise<MetadataAnswer>>;

const MISSING_STATUSES: ReadonlySet<number> = new Set([404, 401]);
const EMPTY = new Uint8Array(0);

/** Joins like Juju's `urlJoin`: one `/` between base and path, nothing normalised. */
export function joinMetadataUrl(baseUrl: string, path: string): string {
  return baseUrl.endsWith("/") ? `${baseUrl}${path}` : `${baseUrl}/${path}`;
}

function looksLikeHtml(bytes: Uint8Array): boolean {
  const head = new TextDecoder()
    .decode(bytes.subarray(0, 256))
    .replace(/^\uFEFF/, "")
    .trimStart();
  return head.startsWith("<");
}

async function readLimited(
  body: ReadableStream<Uint8Array>,
  limit: number,
): Promise<Uint8Array | undefined> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limit) {
      await body.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(chunk);
  }
  return concatBytes(chunks, size);
}

function describeError(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${error.message}${cause}`;
}

/**
 * GETs one metadata file the way Juju's HTTP client does (redirects followed, any
 * Content-Type) and classifies the answer. Never throws for a network failure: that is
 * an `unreachable` answer.
 */
export async function fetchMetadata(
  fetchImpl: typeof fetch,
  baseUrl: string,
  path: string,
  maxBytes = DEFAULT_MAX_METADATA_BYTES,
): Promise<MetadataAnswer> {
  const url = joinMetadataUrl(baseUrl, path);
  let response: Response;
  try {
    response = await fetchImpl(url);
  } catch (error) {
    return {
      path,
      url,
      status: 0,
      kind: "unreachable",
      bytes: EMPTY,
      detail: `no answer: ${describeError(error)}`,
    };
  }
  const { status } = response;
  const statusText = `HTTP ${status}${response.statusText ? ` ${response.statusText}` : ""}`;
  if (status !== 200 || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    if (MISSING_STATUSES.has(status)) {
      return { path, url, status, kind: "missing", bytes: EMPTY, detail: undefined };
    }
    return {
      path,
      url,
      status,
      kind: "bad-status",
      bytes: EMPTY,
      detail: `answered ${statusText}`,
    };
  }
  let bytes: Uint8Array | undefined;
  try {
    bytes = await readLimited(response.body, maxBytes);
  } catch (error) {
    return {
      path,
      url,
      status,
      kind: "unreachable",
      bytes: EMPTY,
      detail: `the answer broke off: ${describeError(error)}`,
    };
  }
  if (bytes === undefined) {
    return {
      path,
      url,
      status,
      kind: "too-large",
      bytes: EMPTY,
      detail: `answered with more than ${maxBytes} bytes, too large for a metadata file`,
    };
  }
  if (looksLikeHtml(bytes)) {
    const type = response.headers.get("content-type");
    return {
      path,
      url,
      status,
      kind: "soft-404",
      bytes,
      detail: `answered HTTP 200 with an HTML page${type ? ` (${type})` : ""} — a "soft 404"; a missing file must answer a real 404`,
    };
  }
  return { path, url, status, kind: "ok", bytes, detail: undefined };
}

/** `fetchMetadata` through a cache: each URL is read once per verify run. */
export function fetchMetadataCached(
  fetchImpl: typeof fetch,
  cache: MetadataCache | undefined,
  baseUrl: string,
  path: string,
): Promise<MetadataAnswer> {
  if (cache === undefined) return fetchMetadata(fetchImpl, baseUrl, path);
  const url = joinMetadataUrl(baseUrl, path);
  let answer = cache.get(url);
  if (answer === undefined) {
    answer = fetchMetadata(fetchImpl, baseUrl, path);
    cache.set(url, answer);
  }
  return answer;
}
