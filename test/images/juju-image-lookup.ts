/**
 * Test-only client that finds an image id the way Juju does (juju/juju
 * environs/simplestreams + environs/imagemetadata, juju-contract.md §1, §3, §4, §7):
 * signed index → entry whose `datatype`, `clouds` and `products` match → signed product
 * file → newest version key (as strings) with an item for the region, exactly → id.
 */
import { flattenProducts } from "../../src/core/flatten.ts";
import { parseIndex } from "../../src/core/parse-index.ts";
import { parseJsonDocument } from "../../src/core/parse-json.ts";
import { parseProducts } from "../../src/core/parse-products.ts";
import { verifyClearsigned } from "../../src/signing/verify-clearsigned.ts";

export interface JujuImageLookupOptions {
  /** `image-metadata-url`, e.g. `http://127.0.0.1:8080/images`. */
  metadataUrl: string;
  /** Armored public key (JUJU_STREAMS_PUBLICKEY_FILE). */
  publicKey: string;
  region: string;
  /** Keystone URL of Juju's cloud definition. */
  endpoint: string;
  version: string;
  arch: string;
  /** Default released. */
  stream?: string;
}

export interface JujuImageMatch {
  id: string;
  contentId: string;
  productPath: string;
  versionKey: string;
}

const normaliseRegion = (region: string) => region.toLowerCase().replace(/\s+/g, "");
const normaliseEndpoint = (endpoint: string) => endpoint.replace(/\/+$/, "");

async function fetchSigned(url: string, publicKey: string): Promise<unknown> {
  const response = await fetch(url);
  if (response.status !== 200) throw new Error(`GET ${url} answered ${response.status}`);
  const { text } = await verifyClearsigned(await response.text(), publicKey);
  return parseJsonDocument(text);
}

/** The image id Juju would boot in `region`, or `undefined` when Juju would find none. */
export async function jujuImageLookup(
  options: JujuImageLookupOptions,
): Promise<JujuImageMatch | undefined> {
  const stream = options.stream ?? "released";
  const prefix = stream === "released" ? "com.ubuntu.cloud" : `com.ubuntu.cloud.${stream}`;
  const productId = `${prefix}:server:${options.version}:${options.arch}`;
  const base = options.metadataUrl.replace(/\/+$/, "");
  const index = parseIndex(await fetchSigned(`${base}/streams/v1/index.sjson`, options.publicKey));
  const candidates = Object.entries(index.index).filter(
    ([, entry]) =>
      entry.datatype === "image-ids" &&
      (entry.clouds === undefined ||
        entry.clouds.some(
          (cloud) =>
            normaliseRegion(cloud.region) === normaliseRegion(options.region) &&
            normaliseEndpoint(cloud.endpoint) === normaliseEndpoint(options.endpoint),
        )) &&
      entry.products.includes(productId),
  );
  if (candidates.length > 1) {
    throw new Error(`several index entries match ${productId}: Juju may pick any of them`);
  }
  const [match] = candidates;
  if (match === undefined) return undefined;
  const [contentId, entry] = match;
  if (entry.path.startsWith("/") || !entry.path.endsWith(".sjson")) {
    throw new Error(`a signed index must name a relative .sjson product path, got ${entry.path}`);
  }
  const products = parseProducts(await fetchSigned(`${base}/${entry.path}`, options.publicKey));
  const items = flattenProducts(products).filter((item) => item.productId === productId);
  const versionKeys = [...new Set(items.map((item) => item.versionKey))].sort().reverse();
  for (const versionKey of versionKeys) {
    const item = items.find(
      (candidate) =>
        candidate.versionKey === versionKey && candidate.fields.region === options.region,
    );
    if (item === undefined) continue;
    if (item.fields.version !== options.version || item.fields.arch !== options.arch) {
      throw new Error(`item ${item.itemKey} does not resolve version and arch`);
    }
    if (typeof item.fields.id !== "string") throw new Error(`item ${item.itemKey} has no id`);
    return { id: item.fields.id, contentId, productPath: entry.path, versionKey };
  }
  return undefined;
}
