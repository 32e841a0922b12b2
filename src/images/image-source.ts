/**
 * The one interface every image source implements (OpenStack Keystone + Glance, a static
 * list), and what a listing holds. Sources report what the cloud says; mapping to Juju's
 * vocabulary happens later, in one place (`mapImage`).
 */

/**
 * Attributes a source states outright (a static list's `version`, `arch`…), already in
 * Juju's vocabulary. They win over overrides and Glance properties.
 */
export interface DeclaredAttributes {
  version?: string;
  arch?: string;
  virt?: string;
  root_store?: string;
  stream?: string;
}

/** One image as its source lists it. */
export interface SourceImage {
  id: string;
  name?: string;
  /** ISO 8601; the newest image wins when several map to the same product in a region. */
  createdAt?: string;
  /** Glance's image record: `os_distro`, `os_version`, `architecture` and any other property. */
  properties: Readonly<Record<string, unknown>>;
  declared?: DeclaredAttributes;
}

/** One region of a listing: its images, or why they could not be listed. */
export type RegionListing =
  | {
      region: string;
      /** Per-region Keystone URL for Juju, when the source has one (static list). */
      endpoint?: string;
      ok: true;
      images: SourceImage[];
    }
  | {
      region: string;
      endpoint?: string;
      ok: false;
      /** Never holds a credential. */
      error: string;
    };

export interface SourceListing {
  /** Cloud name the source names (a static list's `cloud`), if any. */
  cloud?: string;
  /** Default Keystone URL for every region (OS_AUTH_URL, a static list's `endpoint`). */
  endpoint?: string;
  /** Every region that has an image service, sorted by name. */
  regions: RegionListing[];
  /** Regions the cloud knows that have no image endpoint (listed in the report only). */
  regionsWithoutImages?: string[];
}

export interface ListImagesOptions {
  signal?: AbortSignal;
}

/**
 * Where image ids come from.
 *
 * `list` throws only when nothing can be listed at all (Keystone unreachable or rejecting
 * the credentials, an invalid static file); a region that fails is reported in the
 * listing so the others still publish and it keeps its previous ids.
 */
export interface ImageSource {
  /** For reports and messages: `openstack`, `static list ./images.yaml`. */
  readonly description: string;
  list(options?: ListImagesOptions): Promise<SourceListing>;
}
