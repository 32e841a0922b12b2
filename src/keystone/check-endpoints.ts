import { createSourceReader, SourceError } from "../verify/index.ts";
import { SERVICE_DATATYPES, type StreamsServiceType } from "./services.ts";

/** An endpoint registered for one of the two types. */
export interface RegisteredEndpoint {
  type: StreamsServiceType;
  region: string;
  interface: string;
  url: string;
}

export interface EndpointCheck extends RegisteredEndpoint {
  ok: boolean;
  /** The index that answered, relative to the endpoint. */
  index?: string;
  /** Why it is dead or useless. */
  reason?: string;
  /** What that costs with Juju. */
  juju?: string;
}

export interface CheckEndpointsOptions {
  fetch?: typeof fetch;
  /** Per request. Default 15 s: a black-holed address must not hang the check. */
  timeoutMs?: number;
}

const DEAD =
  "Juju reads this endpoint from the Keystone catalog when it bootstraps and when it starts machines; a source that answers with an error instead of metadata or a 404 aborts the lookup, and bootstrap fails";

/**
 * Whether each endpoint answers the way Juju reads it: the catalog source has no
 * signing key, so Juju's read that counts is the unsigned one — `streams/v1/index2.json`,
 * on not-found `index.json`, plus `mirrors.json` — and the index must carry the data the
 * service type is for (`image-ids` for product-streams, `content-download` for
 * juju-tools). Each distinct URL is read once.
 */
export async function checkEndpoints(
  endpoints: readonly RegisteredEndpoint[],
  options: CheckEndpointsOptions = {},
): Promise<EndpointCheck[]> {
  const baseFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? 15_000;
  const timedFetch = ((input: string | URL | Request, init?: RequestInit) =>
    baseFetch(input, { ...init, signal: AbortSignal.timeout(timeoutMs) })) as typeof fetch;
  const results = new Map<string, Promise<Omit<EndpointCheck, keyof RegisteredEndpoint>>>();

  async function check(type: StreamsServiceType, url: string) {
    const reader = createSourceReader({ baseUrl: url, keys: undefined, fetch: timedFetch });
    try {
      const loaded = await reader.loadIndex(false);
      const datatype = SERVICE_DATATYPES[type];
      const entries = Object.values(loaded.index.index);
      if (!entries.some((entry) => entry.datatype === datatype)) {
        return {
          ok: false,
          index: loaded.path,
          reason: `${loaded.path} has no "${datatype}" data: is this the ${type} URL of the mirror?`,
          juju: "Juju finds nothing for this service here and moves on",
        };
      }
      return { ok: true, index: loaded.path };
    } catch (error) {
      if (!(error instanceof SourceError)) throw error;
      return {
        ok: false,
        reason:
          error.kind === "missing"
            ? "streams/v1/index2.json and streams/v1/index.json both answer 404: nothing is served at this URL"
            : error.message,
        juju: error.kind === "missing" ? "Juju finds nothing here and moves on" : DEAD,
      };
    }
  }

  return Promise.all(
    endpoints.map(async (endpoint) => {
      const key = `${endpoint.type}\n${endpoint.url}`;
      let result = results.get(key);
      if (result === undefined) {
        result = check(endpoint.type, endpoint.url);
        results.set(key, result);
      }
      return { ...endpoint, ...(await result) };
    }),
  );
}
