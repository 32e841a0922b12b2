import {
  type FlatItem,
  flattenProducts,
  IMAGE_DATATYPE,
  type IndexEntry,
  parseProducts,
} from "../core/index.ts";
import type { VerificationKeys } from "../signing/index.ts";
import type { SkippedRead } from "./agent-lookup.ts";
import { entryServesCloud, formatCloud, type LookupCloud } from "./cloud-spec.ts";
import type { MetadataCache } from "./metadata-answer.ts";
import { createSourceReader, type LookupRequest, SourceError } from "./source-reader.ts";

export interface ImageLookupOptions {
  /** Juju's `image-metadata-url`, e.g. `https://mirror.example.com/images`. */
  baseUrl: string;
  /** The cloud's region, exactly as Juju's cloud definition names it. */
  region: string;
  /** The Keystone URL Juju's cloud definition names. */
  endpoint: string;
  /** OS version, e.g. `24.04` (the base `ubuntu@24.04`). */
  version: string;
  arch: string;
  /** `image-stream`; default `released`. */
  stream?: string;
  /**
   * The operator's public key (`JUJU_STREAMS_PUBLICKEY_FILE`). Absent: like Juju without
   * one, signed files cannot be read and only the unsigned `.json` counts.
   */
  keys?: VerificationKeys;
  /** Do not fall back to unsigned `.json` (like the default cloud-images source). */
  requireSigned?: boolean;
  fetch?: typeof fetch;
  /** Answers shared with other lookups of the same run (each file is read once). */
  cache?: MetadataCache;
}

export interface FoundImage {
  outcome: "found";
  /** The image id Juju boots. */
  id: string;
  index: { path: string; signed: boolean };
  product: { path: string; contentId: string; productId: string };
  versionKey: string;
  /** The item as Juju resolves it (aliases and inheritance applied). */
  item: FlatItem["fields"];
  requests: LookupRequest[];
  skipped: SkippedRead[];
}

/**
 * - `not-found`: nothing for this region, base and arch; Juju moves on to its next source
 *   (and, with none left, fails with "no metadata for … images").
 * - `broken`: a defect that stops Juju from using the source — a file neither served nor
 *   a real 404, a signed tree that does not verify with nothing unsigned behind it,
 *   several index entries Juju would pick from at random, an item without an id.
 */
export interface NoImage {
  outcome: "not-found" | "broken";
  reason: string;
  /** The file (relative to the base) the lookup stopped at. */
  path?: string;
  requests: LookupRequest[];
  skipped: SkippedRead[];
}

export type ImageLookupResult = FoundImage | NoImage;

/** `com.ubuntu.cloud:server:24.04:amd64`; other streams insert theirs (`com.ubuntu.cloud.daily:…`). */
export function imageLookupProductId(stream: string, version: string, arch: string): string {
  const prefix = stream === "released" ? "com.ubuntu.cloud" : `com.ubuntu.cloud.${stream}`;
  return `${prefix}:server:${version}:${arch}`;
}

type Attempt = { found: FoundImage; error?: undefined } | { found?: undefined; error: SourceError };

/**
 * Replays the image lookup Juju makes when it starts a machine (juju/juju
 * environs/imagemetadata + environs/simplestreams, juju-contract §1, §3, §4, §7) against one
 * metadata source: `index2.sjson`, on not-found `index.sjson` (+ `mirrors`), and when that
 * yields nothing and signatures are not required the `.json` twins; the index entry whose
 * datatype, clouds and products match; its product file; the newest version key (keys
 * compared as strings) holding an item whose region equals the cloud's region exactly.
 * Runtime-neutral (web `fetch`).
 */
export async function lookupImage(options: ImageLookupOptions): Promise<ImageLookupResult> {
  const stream = options.stream ?? "released";
  const productId = imageLookupProductId(stream, options.version, options.arch);
  const cloud: LookupCloud = { region: options.region, endpoint: options.endpoint };
  const reader = createSourceReader({
    baseUrl: options.baseUrl,
    keys: options.keys,
    ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
    ...(options.cache === undefined ? {} : { cache: options.cache }),
  });
  const { requests } = reader;
  const skipped: SkippedRead[] = [];

  function pickEntry(indexPath: string, entries: [string, IndexEntry][]): [string, IndexEntry] {
    const images = entries.filter(([, entry]) => entry.datatype === IMAGE_DATATYPE);
    if (images.length === 0) {
      throw new SourceError("missing", indexPath, `${indexPath} has no "${IMAGE_DATATYPE}" data`);
    }
    const inCloud = images.filter(([, entry]) => entryServesCloud(entry, cloud));
    if (inCloud.length === 0) {
      throw new SourceError(
        "missing",
        indexPath,
        `${indexPath}: index file has no data for cloud ${formatCloud(cloud)}`,
      );
    }
    const matching = inCloud.filter(([, entry]) => entry.products.includes(productId));
    const [first] = matching;
    if (first === undefined) {
      throw new SourceError("missing", indexPath, `${indexPath} lists no ${productId}`);
    }
    const paths = new Set(matching.map(([, entry]) => entry.path));
    if (paths.size > 1) {
      throw new SourceError(
        "broken",
        indexPath,
        `${indexPath}: several entries (${matching.map(([id]) => id).join(", ")}) list ${productId} for cloud ${formatCloud(cloud)}; Juju picks any one of them`,
      );
    }
    return first;
  }

  async function attempt(signed: boolean): Promise<Attempt> {
    try {
      const loaded = await reader.loadIndex(signed);
      const [contentId, entry] = pickEntry(loaded.path, Object.entries(loaded.index.index));
      if (signed && !entry.path.endsWith(".sjson")) {
        throw new SourceError(
          "broken",
          loaded.path,
          `the signed ${loaded.path} names the unsigned product file ${entry.path}; Juju reads it as signed and fails`,
        );
      }
      const { value: products } = await reader.read(entry.path, signed, parseProducts);
      const items = flattenProducts(products).filter((item) => item.productId === productId);
      // Go compares version keys as strings, which for ASCII keys is this sort.
      const versionKeys = [...new Set(items.map((item) => item.versionKey))].sort().reverse();
      for (const versionKey of versionKeys) {
        const item = items.find(
          (candidate) =>
            candidate.versionKey === versionKey && candidate.fields.region === options.region,
        );
        if (item === undefined) continue;
        const where = `${entry.path}: item ${item.itemKey} (version ${versionKey})`;
        if (item.fields.version !== options.version || item.fields.arch !== options.arch) {
          throw new SourceError(
            "broken",
            entry.path,
            `${where} resolves to version ${item.fields.version ?? "(none)"}, arch ${item.fields.arch ?? "(none)"}, not what its product ${productId} says`,
          );
        }
        if (typeof item.fields.id !== "string" || item.fields.id === "") {
          throw new SourceError("broken", entry.path, `${where} has no image id`);
        }
        return {
          found: {
            outcome: "found",
            id: item.fields.id,
            index: { path: loaded.path, signed },
            product: { path: entry.path, contentId, productId },
            versionKey,
            item: item.fields,
            requests,
            skipped,
          },
        };
      }
      throw new SourceError(
        "missing",
        entry.path,
        `${entry.path} has no item with region exactly ${JSON.stringify(options.region)} in ${productId}`,
      );
    } catch (error) {
      if (error instanceof SourceError) return { error };
      throw error;
    }
  }

  let result = await attempt(true);
  if (result.found === undefined && !options.requireSigned) {
    if (result.error.kind === "broken") {
      skipped.push({ path: result.error.path, reason: result.error.message });
    }
    result = await attempt(false);
  }
  if (result.found !== undefined) return result.found;
  // A signed tree Juju could not use, with nothing unsigned behind it, is a defect too.
  const blamed = result.error.kind === "broken" ? result.error : skipped[0];
  if (blamed !== undefined) {
    const reason = blamed instanceof SourceError ? blamed.message : blamed.reason;
    return { outcome: "broken", reason, path: blamed.path, requests, skipped };
  }
  const { message: reason, path } = result.error;
  return { outcome: "not-found", reason, path, requests, skipped };
}
