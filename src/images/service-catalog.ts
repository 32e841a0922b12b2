import type { CatalogService } from "./keystone.ts";
import type { EndpointInterface } from "./openstack-credentials.ts";

export interface RegionEndpoint {
  region: string;
  url: string;
}

export interface ImageEndpoints {
  /** One Glance URL per region, sorted by region. */
  endpoints: RegionEndpoint[];
  /** Regions with other endpoints but no image endpoint on the interface. */
  regionsWithoutImages: string[];
}

function regionOf(endpoint: CatalogService["endpoints"][number]): string | undefined {
  // `region_id` is the region's id, which Juju's cloud definition names; `region` is its
  // deprecated twin holding the same value.
  return endpoint.region_id ?? endpoint.region ?? undefined;
}

/**
 * The image (Glance) endpoint of every region in a token's catalog, on one interface. A
 * region with several takes the first in catalog order.
 */
export function findImageEndpoints(
  catalog: readonly CatalogService[],
  endpointInterface: EndpointInterface,
): ImageEndpoints {
  const regions = new Set<string>();
  const images = new Map<string, string>();
  for (const service of catalog) {
    for (const endpoint of service.endpoints) {
      const region = regionOf(endpoint);
      if (region === undefined || region === "") continue;
      regions.add(region);
      if (service.type === "image" && endpoint.interface === endpointInterface) {
        if (!images.has(region)) images.set(region, endpoint.url);
      }
    }
  }
  const byName = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return {
    endpoints: [...images.keys()].sort(byName).map((region) => ({
      region,
      url: images.get(region) as string,
    })),
    regionsWithoutImages: [...regions].filter((region) => !images.has(region)).sort(byName),
  };
}
