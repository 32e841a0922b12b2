import { listGlanceImages } from "./glance.ts";
import type { FetchFunction } from "./http-json.ts";
import type { ImageSource, RegionListing, SourceListing } from "./image-source.ts";
import { authenticate } from "./keystone.ts";
import type { OpenStackCredentials } from "./openstack-credentials.ts";
import { findImageEndpoints } from "./service-catalog.ts";

export interface OpenStackSourceOptions {
  credentials: OpenStackCredentials;
  /** Default: the global `fetch`. On Node, `createNodeFetch` adds `OS_CACERT` / `OS_INSECURE`. */
  fetch?: FetchFunction;
  /** Per HTTP request, body included. Default 30 s. */
  timeoutMs?: number;
  /** Images per Glance page. Default 1000 (Glance's default `api_limit_max`). */
  pageSize?: number;
}

const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_PAGE_SIZE = 1000;

function describe(error: unknown): string {
  return (error instanceof Error ? error.message : String(error)).replace(
    /^\[streamgate\] \[\w+\] /,
    "",
  );
}

/**
 * Images of every region of an OpenStack cloud: one Keystone v3 token, then Glance v2 in
 * each region that has an image endpoint (all regions at once). Keystone failures throw;
 * a failing Glance fails only its region.
 */
export function createOpenStackSource(options: OpenStackSourceOptions): ImageSource {
  const { credentials } = options;
  const fetchFunction: FetchFunction = options.fetch ?? ((input, init) => fetch(input, init));
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  const endpointInterface = credentials.interface ?? "public";
  return {
    description: `openstack (${credentials.authUrl})`,
    list: async function listOpenStackImages(listOptions = {}): Promise<SourceListing> {
      const signal = listOptions.signal;
      const { token, catalog } = await authenticate(credentials, {
        fetch: fetchFunction,
        timeoutMs,
        ...(signal === undefined ? {} : { signal }),
      });
      const { endpoints, regionsWithoutImages } = findImageEndpoints(catalog, endpointInterface);
      const regions = await Promise.all(
        endpoints.map(async ({ region, url }): Promise<RegionListing> => {
          try {
            const images = await listGlanceImages(url, {
              fetch: fetchFunction,
              token,
              timeoutMs,
              pageSize,
              ...(signal === undefined ? {} : { signal }),
              what: `Glance of region ${region} at ${url}`,
            });
            return { region, ok: true, images };
          } catch (error) {
            if (signal?.aborted) throw error;
            return { region, ok: false, error: describe(error) };
          }
        }),
      );
      return { endpoint: credentials.authUrl, regions, regionsWithoutImages };
    },
  };
}
