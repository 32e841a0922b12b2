/**
 * Wire types of simplestreams documents, keys exactly as on the wire (`content_id`,
 * `ftype`, `_aliases`…). Every interface carries an index signature because documents may
 * hold fields we do not model (`label`, `pubname`, `md5`…); they are kept, so a parsed
 * document re-renders with them.
 *
 * Typed fields are the ones Juju's Go decoder reads into typed struct fields (see
 * juju/juju environs/simplestreams and environs/tools): a value of the wrong type there
 * makes Juju reject the whole file, so the parsers reject it too.
 */

/** `format` of an index file (juju-contract §3). */
export const INDEX_FORMAT = "index:1.0";

/** `format` of a product file (juju-contract §4). */
export const PRODUCTS_FORMAT = "products:1.0";

/** `datatype` of agent binaries. */
export const AGENT_DATATYPE = "content-download";

/** `datatype` of cloud image ids. */
export const IMAGE_DATATYPE = "image-ids";

/** One cloud an index entry serves (`clouds[]`). */
export interface CloudSpec {
  region: string;
  endpoint: string;
  [field: string]: unknown;
}

/** One entry of `index`, keyed by content id: where a product file is and what it holds. */
export interface IndexEntry {
  datatype: string;
  /** Relative to the metadata base URL; never absolute (see `assertRelativePath`). */
  path: string;
  /** Product ids found in the product file. */
  products: string[];
  format?: string;
  updated?: string;
  cloudname?: string;
  /** Absent means "every cloud". */
  clouds?: CloudSpec[];
  [field: string]: unknown;
}

/** An `index:1.0` document (`streams/v1/index2.json`, `index.json`…). */
export interface Index {
  format: typeof INDEX_FORMAT;
  /** Keyed by content id, e.g. `com.ubuntu.juju:released:agents`. */
  index: Record<string, IndexEntry>;
  updated?: string;
  [field: string]: unknown;
}

/**
 * One downloadable file (agents) or image id (images). Fields are the union of what
 * Juju's agent (`ToolsMetadata`) and image (`ImageMetadata`) items read, plus `md5`.
 */
export interface Item {
  release?: string;
  version?: string;
  arch?: string;
  /** Bytes; an integer on the wire (`"123"` makes Juju reject the whole file). */
  size?: number;
  /** Relative to the metadata base URL; never absolute (see `assertRelativePath`). */
  path?: string;
  ftype?: string;
  /** Lowercase hex. */
  sha256?: string;
  md5?: string;
  /** Image id (`image-ids` only). */
  id?: string;
  root_store?: string;
  virt?: string;
  /** Cloud region short name, usually resolved through `_aliases`. */
  crsn?: string;
  region?: string;
  endpoint?: string;
  [field: string]: unknown;
}

/**
 * A version collection: the items published together under one version key
 * (`YYYYMMDD` or `YYYYMMDD.N`; Juju sorts these keys descending as strings).
 */
export interface Version {
  items: Record<string, Item>;
  arch?: string;
  version?: string;
  release?: string;
  region?: string;
  endpoint?: string;
  [field: string]: unknown;
}

/** One product (`com.ubuntu.juju:ubuntu:amd64`, `com.ubuntu.cloud:server:24.04:amd64`…). */
export interface Product {
  /** Keyed by version key. */
  versions: Record<string, Version>;
  release?: string;
  /** The Juju version for agents, the OS version (`24.04`) for images. */
  version?: string;
  arch?: string;
  region?: string;
  endpoint?: string;
  root_store?: string;
  virt?: string;
  [field: string]: unknown;
}

/**
 * `_aliases`: `{FIELD: {VALUE: {field: value, …}}}` — an item whose own FIELD equals VALUE
 * gets the listed fields.
 */
export type Aliases = Record<string, Record<string, Record<string, string>>>;

/** A `products:1.0` document. */
export interface Products {
  format: typeof PRODUCTS_FORMAT;
  /** Keyed by product id. */
  products: Record<string, Product>;
  content_id?: string;
  datatype?: string;
  updated?: string;
  _aliases?: Aliases;
  region?: string;
  endpoint?: string;
  root_store?: string;
  virt?: string;
  [field: string]: unknown;
}
