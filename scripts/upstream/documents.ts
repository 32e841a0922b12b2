import {
  AGENT_DATATYPE,
  agentContentId,
  INDEX_FORMAT,
  PRODUCTS_FORMAT,
  parseIndex,
  parseJsonDocument,
  parseProducts,
} from "../../src/core/index.ts";
import type { PlannedItem, PlannedTarball } from "./catalogue.ts";

/** A planned tarball once written. */
export interface HashedTarball extends PlannedTarball {
  size: number;
  sha256: string;
  md5: string;
}

/** One product file of the fixture and what its index entry says. */
export interface ProductFile {
  contentId: string;
  stream: string;
  legacy: boolean;
  /** `streams/v1/com.ubuntu.juju-released-agents.json`. */
  path: string;
  /** The signed twin, `….sjson`. */
  signedPath: string;
  productIds: string[];
  /** The JSON text of the `.json` twin (the signed text of the `.sjson`). */
  text: string;
}

/** The legacy `index.json` lists only this entry (juju-contract §1). */
export const LEGACY_INDEX_CONTENT_ID = agentContentId("released", true);

type Json = Record<string, unknown>;

function byKey(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sortedRecord<T>(entries: Iterable<[string, T]>): Record<string, T> {
  return Object.fromEntries([...entries].sort(([a], [b]) => byKey(a, b)));
}

/**
 * Upstream's layout, not streamgate's renderer: one-space indent and fields in the order
 * Juju's Go structs declare them (`release, version, arch, size, path…`; index entries
 * `updated, format, datatype, path, products`). Re-rendering with core's sorted
 * `renderJson` would change the bytes — which is what lets tests catch an exact-mode
 * mirror that re-renders instead of copying.
 */
export function renderUpstreamJson(document: unknown): string {
  return `${JSON.stringify(document, null, 1)}\n`;
}

function item(tarball: HashedTarball, planned: PlannedItem): Json {
  const { legacy, release } = planned;
  // Like upstream, some fields live only at product level and must be inherited: `arch`
  // of CentOS agent products, `release` and `arch` of legacy tools products.
  return {
    ...(legacy ? {} : { release }),
    version: planned.version,
    ...(legacy || release === "centos" ? {} : { arch: planned.arch }),
    size: tarball.size,
    path: tarball.path,
    ftype: "tar.gz",
    sha256: tarball.sha256,
    md5: tarball.md5,
  };
}

function productFields(planned: PlannedItem): Json {
  if (planned.legacy) return { arch: planned.arch, release: planned.release };
  return planned.release === "centos" ? { arch: planned.arch } : {};
}

/** Product files for every content id the tarballs are listed in, sorted by content id. */
export function buildProductFiles(
  tarballs: readonly HashedTarball[],
  updated: string,
): ProductFile[] {
  // contentId → productId → versionKey → itemKey → item
  const tree = new Map<
    string,
    Map<string, { fields: Json; versions: Map<string, Map<string, Json>> }>
  >();
  const meta = new Map<string, PlannedItem>();
  for (const tarball of tarballs) {
    for (const planned of tarball.items) {
      meta.set(planned.contentId, planned);
      const products = tree.get(planned.contentId) ?? new Map();
      tree.set(planned.contentId, products);
      const product = products.get(planned.productId) ?? {
        fields: productFields(planned),
        versions: new Map(),
      };
      products.set(planned.productId, product);
      const items = product.versions.get(planned.versionKey) ?? new Map<string, Json>();
      product.versions.set(planned.versionKey, items);
      items.set(planned.itemKey, item(tarball, planned));
    }
  }
  return [...tree.keys()].sort(byKey).map((contentId) => {
    const products = tree.get(contentId) ?? new Map();
    const planned = meta.get(contentId) as PlannedItem;
    const document = {
      content_id: contentId,
      datatype: AGENT_DATATYPE,
      format: PRODUCTS_FORMAT,
      products: sortedRecord(
        [...products].map(([productId, product]) => [
          productId,
          {
            ...product.fields,
            versions: sortedRecord(
              [...product.versions].map(([versionKey, items]) => [
                versionKey,
                { items: sortedRecord(items) },
              ]),
            ),
          },
        ]),
      ),
      updated,
    };
    const text = renderUpstreamJson(document);
    parseProducts(parseJsonDocument(text));
    const base = `streams/v1/${contentId.replaceAll(":", "-")}`;
    return {
      contentId,
      stream: planned.stream,
      legacy: planned.legacy,
      path: `${base}.json`,
      signedPath: `${base}.sjson`,
      productIds: [...products.keys()].sort(byKey),
      text,
    };
  });
}

/**
 * The `.json` and `.sjson` texts of an index over `files`: the unsigned one points at
 * `.json` product files, the signed one at `.sjson` (juju-contract §3, §6); otherwise the
 * same bytes.
 */
export function buildIndexTexts(
  files: readonly ProductFile[],
  updated: string,
): { json: string; sjson: string } {
  const render = (signed: boolean) => {
    const text = renderUpstreamJson({
      index: sortedRecord(
        files.map((file) => [
          file.contentId,
          {
            updated,
            format: PRODUCTS_FORMAT,
            datatype: AGENT_DATATYPE,
            path: signed ? file.signedPath : file.path,
            products: file.productIds,
          },
        ]),
      ),
      updated,
      format: INDEX_FORMAT,
    });
    parseIndex(parseJsonDocument(text));
    return text;
  };
  return { json: render(false), sjson: render(true) };
}
