/**
 * @module
 * Node-only: the part of `fetch` the HTTP transport uses — GET and HEAD with headers,
 * manual redirects, an abort signal, transparent gzip/deflate/br decoding — over
 * `node:http` / `node:https`. The transport's policy (retries, redirects, timeouts, limits)
 * stays in `http-transport.ts`; only the wire changes.
 *
 * Why not Node's global `fetch`: it parses HTTP in WebAssembly and hands the body through
 * several web-stream stages. On a 1 GiB copy from a loopback nginx (8 tarballs at once,
 * 2 cores) it measured ~0.35 s slower and ~25 MB more peak RSS than `node:http`, whose
 * parser is native and whose body here reaches the caller through one pull-based stream.
 * Deliberately not re-exported from `./index.ts`, which stays runnable in Workers.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from "node:http";
import { Agent as HttpsAgent, request as httpsRequest } from "node:https";
import { type Duplex, pipeline, type Readable } from "node:stream";
import { createBrotliDecompress, createGunzip, createInflate } from "node:zlib";
import { webStreamFromReadable } from "../streams/from-node-readable.ts";

const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([204, 205, 304]);

const DECODERS: Readonly<Record<string, () => Duplex>> = {
  gzip: createGunzip,
  "x-gzip": createGunzip,
  deflate: createInflate,
  br: createBrotliDecompress,
};

/** What `fetch` sends when the caller does not choose; `identity` turns decoding off. */
const DEFAULT_ACCEPT_ENCODING = "gzip, deflate, br";

/** The same shape of failure as Node's `fetch`: `TypeError("fetch failed", { cause })`. */
function fetchFailed(cause: unknown): TypeError {
  return new TypeError("fetch failed", { cause });
}

function requestHeaders(init: RequestInit): Record<string, string> {
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  headers["accept-encoding"] ??= DEFAULT_ACCEPT_ENCODING;
  return headers;
}

function responseHeaders(message: IncomingMessage): Headers {
  const headers = new Headers();
  const raw = message.rawHeaders;
  for (let index = 0; index + 1 < raw.length; index += 2) {
    headers.append(raw[index] as string, raw[index + 1] as string);
  }
  return headers;
}

/** The body decoded as `fetch` would: every listed coding undone, the last applied first. */
function decoded(message: IncomingMessage): Readable {
  const header = message.headers["content-encoding"];
  if (header === undefined) return message;
  const decoders = header
    .split(",")
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== "" && coding !== "identity")
    .map((coding) => DECODERS[coding]);
  if (decoders.length === 0 || decoders.some((decoder) => decoder === undefined)) return message;
  const stages = decoders.reverse().map((decoder) => (decoder as () => Duplex)());
  // A failure anywhere (a reset socket, corrupt gzip) destroys every stage with it, so the
  // reader of the last one sees it; so does a cancel of the last one.
  return pipeline([message, ...stages], () => undefined) as unknown as Readable;
}

/**
 * A `fetch` for `createHttpTransport({ fetch })` on Node. GET and HEAD only, without a
 * request body, and `redirect: "manual"` only: the transport follows redirects itself.
 * Rejects like `fetch` — with the signal's reason when aborted, with
 * `TypeError("fetch failed", { cause })` when the request fails below HTTP — and an abort
 * after the headers errors the body with the reason.
 */
export function createNodeFetch(): typeof fetch {
  // Kept-alive connections are reused by the sync's parallel copies; idle ones never keep
  // the process alive.
  const agents = {
    "http:": { agent: new HttpAgent({ keepAlive: true }), request: httpRequest },
    "https:": { agent: new HttpsAgent({ keepAlive: true }), request: httpsRequest },
  } as const;

  return function nodeFetch(input: RequestInfo | URL, init: RequestInit = {}): Promise<Response> {
    if (typeof input !== "string" && !(input instanceof URL)) {
      return Promise.reject(new TypeError("[streamgate] nodeFetch takes a URL, not a Request"));
    }
    const method = (init.method ?? "GET").toUpperCase();
    if ((method !== "GET" && method !== "HEAD") || init.body != null) {
      return Promise.reject(
        new TypeError(`[streamgate] nodeFetch sends GET and HEAD without a body, not ${method}`),
      );
    }
    if (init.redirect !== "manual") {
      return Promise.reject(
        new TypeError('[streamgate] nodeFetch needs redirect: "manual"; the caller follows them'),
      );
    }
    const url = new URL(input);
    const scheme = url.protocol === "http:" || url.protocol === "https:" ? url.protocol : undefined;
    if (scheme === undefined) {
      return Promise.reject(fetchFailed(new Error(`unsupported scheme ${url.protocol}`)));
    }
    const signal = init.signal ?? undefined;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const { agent, request } = agents[scheme];

    return new Promise<Response>((resolve, reject) => {
      let answered: IncomingMessage | undefined;
      const req = request(url, { method, headers: requestHeaders(init), agent });
      const onAbort = () => {
        const reason: unknown = signal?.reason;
        const error = reason instanceof Error ? reason : new Error(String(reason));
        if (answered === undefined) reject(reason);
        // The body first, so its reader sees the reason rather than the closed socket.
        answered?.destroy(error);
        req.destroy(error);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      const forget = () => signal?.removeEventListener("abort", onAbort);
      // `on`, not `once`: a socket can fail again after the response began.
      req.on("error", (error) => {
        forget();
        reject(signal?.aborted ? signal.reason : fetchFailed(error));
      });
      req.once("response", (message) => {
        answered = message;
        message.once("close", forget);
        // The body's reader sees failures through its own listeners; an unread body must
        // not crash the process with an unhandled 'error'.
        message.on("error", () => undefined);
        const status = message.statusCode ?? 0;
        try {
          if (status < 200 || status > 599) {
            throw new Error(`the server answered the invalid status ${status}`);
          }
          const empty = method === "HEAD" || NULL_BODY_STATUSES.has(status);
          const response = new Response(empty ? null : webStreamFromReadable(decoded(message)), {
            status,
            statusText: message.statusMessage ?? "",
            headers: responseHeaders(message),
          });
          if (empty) message.resume();
          resolve(response);
        } catch (error) {
          message.destroy();
          reject(fetchFailed(error));
        }
      });
      req.end();
    });
  } as typeof fetch;
}
