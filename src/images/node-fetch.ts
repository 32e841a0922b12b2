import { Agent, request } from "node:https";
import { Readable } from "node:stream";
import type { FetchFunction } from "./http-json.ts";

/**
 * Node only: `fetch` for HTTPS servers signed by a private CA (`OS_CACERT`, clouds.yaml
 * `cacert`) or, when asked, not verified at all (`OS_INSECURE`, `verify: false`). Node's
 * global fetch cannot take a CA per call without undici, which is not a dependency, so
 * HTTPS goes through `node:https` here; plain HTTP uses the global fetch.
 */
export interface NodeFetchOptions {
  /** PEM text of the CA certificates to trust (not a path). */
  ca?: string;
  /** Default true. */
  rejectUnauthorized?: boolean;
}

const NULL_BODY_STATUSES = new Set([101, 204, 205, 304]);

function headerRecord(headers: HeadersInit | undefined): Record<string, string> {
  return Object.fromEntries(new Headers(headers).entries());
}

export function createNodeFetch(options: NodeFetchOptions): FetchFunction {
  const agent = new Agent({
    keepAlive: true,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
    rejectUnauthorized: options.rejectUnauthorized ?? true,
  });
  return function nodeFetch(input: string, init: RequestInit = {}): Promise<Response> {
    const url = new URL(input);
    if (url.protocol !== "https:") return fetch(input, init);
    if (init.body !== undefined && init.body !== null && typeof init.body !== "string") {
      throw new TypeError("[streamgate] [images] createNodeFetch sends string bodies only");
    }
    return new Promise<Response>((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method: init.method ?? "GET",
          headers: headerRecord(init.headers),
          agent,
          ...(init.signal ? { signal: init.signal } : {}),
        },
        (incoming) => {
          const headers = new Headers();
          for (const [name, value] of Object.entries(incoming.headers)) {
            if (value === undefined) continue;
            for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
          }
          const status = incoming.statusCode ?? 502;
          const body = NULL_BODY_STATUSES.has(status)
            ? null
            : (Readable.toWeb(incoming) as ReadableStream<Uint8Array>);
          if (body === null) incoming.resume();
          resolve(new Response(body, { status, headers }));
        },
      );
      outgoing.once("error", reject);
      outgoing.end(typeof init.body === "string" ? init.body : undefined);
    });
  };
}
