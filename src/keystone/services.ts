/**
 * The Keystone service types Juju's OpenStack provider reads metadata sources from
 * (juju/juju provider/openstack: getKeystoneImageSource, getKeystoneToolsSource), and
 * where each points in a streamgate tree (DESIGN.md §4).
 */
export const STREAMS_SERVICE_TYPES = ["product-streams", "juju-tools"] as const;

export type StreamsServiceType = (typeof STREAMS_SERVICE_TYPES)[number];

const PATHS: Record<StreamsServiceType, string> = {
  "product-streams": "images",
  "juju-tools": "juju/tools",
};

const DESCRIPTIONS: Record<StreamsServiceType, string> = {
  "product-streams": "Juju image metadata (simplestreams image-ids) served by streamgate",
  "juju-tools": "Juju agent binaries and metadata served by streamgate",
};

/** The datatype an index at this service must carry for Juju to find anything. */
export const SERVICE_DATATYPES: Record<StreamsServiceType, string> = {
  "product-streams": "image-ids",
  "juju-tools": "content-download",
};

/** `https://mirror.example.com` → `https://mirror.example.com/images` for product-streams. */
export function serviceUrl(rootUrl: string, type: StreamsServiceType): string {
  return `${rootUrl.replace(/\/+$/, "")}/${PATHS[type]}`;
}

export function serviceDescription(type: StreamsServiceType): string {
  return DESCRIPTIONS[type];
}
