import type { CloudSpec, IndexEntry } from "../core/index.ts";

/** The cloud a lookup is for: its region and the endpoint Juju's cloud definition names. */
export interface LookupCloud {
  region: string;
  endpoint: string;
}

// juju/juju environs/simplestreams CloudSpec.equals: regions compared lowercased with
// spaces removed, endpoints compared with a trailing "/" added to both.
function canonicalRegion(region: string): string {
  return region.replaceAll(" ", "").toLowerCase();
}

function canonicalEndpoint(endpoint: string): string {
  return endpoint.endsWith("/") ? endpoint : `${endpoint}/`;
}

export function sameCloud(a: LookupCloud | CloudSpec, b: LookupCloud | CloudSpec): boolean {
  return (
    canonicalRegion(a.region) === canonicalRegion(b.region) &&
    canonicalEndpoint(a.endpoint) === canonicalEndpoint(b.endpoint)
  );
}

/** Juju's `hasCloud`: an entry without clouds serves every cloud. */
export function entryServesCloud(entry: IndexEntry, cloud: LookupCloud): boolean {
  const clouds = entry.clouds ?? [];
  return clouds.length === 0 || clouds.some((spec) => sameCloud(spec, cloud));
}

/** How Juju prints a cloud in "index file has no data for cloud {R E}". */
export function formatCloud(cloud: LookupCloud): string {
  return `{${cloud.region} ${cloud.endpoint}}`;
}
