/**
 * @module
 * Test-only helpers for this folder's unit tests (never imported by runtime code): agent
 * product documents built in memory and an in-memory `Upstream` serving them unsigned.
 */
import {
  AGENT_DATATYPE,
  INDEX_FORMAT,
  type Index,
  type Item,
  PRODUCTS_FORMAT,
  type Products,
  parseIndex,
  parseJsonDocument,
  parseProducts,
  renderJson,
} from "../core/index.ts";
import { type Upstream, UpstreamError, type UpstreamObject } from "../upstream/index.ts";
import type { UpstreamTree } from "./read-upstream.ts";

export const UPDATED = "Mon, 23 Nov 2026 10:00:00 +0000";

export interface AgentSpec {
  version: string;
  arch?: string;
  release?: string;
  versionKey?: string;
  /** Bytes of the tarball (default: derived from the path, a few dozen bytes). */
  bytes?: Uint8Array;
  /** Overrides of the item's fields. */
  item?: Partial<Item>;
}

const encoder = new TextEncoder();

export function tarballPath(version: string, arch: string): string {
  return `agent/${version}/juju-${version}-linux-${arch}.tgz`;
}

export function tarballBytes(path: string): Uint8Array {
  return encoder.encode(`tarball ${path}\n`);
}

async function sha256Of(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A product file of agents for one content id; tarball bytes go into `tarballs`. */
export async function agentProducts(
  contentId: string,
  specs: readonly AgentSpec[],
  tarballs: Map<string, Uint8Array> = new Map(),
): Promise<Products> {
  const products: Products["products"] = {};
  for (const spec of specs) {
    const arch = spec.arch ?? "amd64";
    const release = spec.release ?? "ubuntu";
    const path = spec.item?.path ?? tarballPath(spec.version, arch);
    const bytes = spec.bytes ?? tarballs.get(path) ?? tarballBytes(path);
    tarballs.set(path, bytes);
    const productId = `com.ubuntu.juju:${release}:${arch}`;
    const product = products[productId] ?? { versions: {} };
    products[productId] = product;
    const versionKey = spec.versionKey ?? "20261123";
    const collection = product.versions[versionKey] ?? { items: {} };
    product.versions[versionKey] = collection;
    collection.items[`${spec.version}-${release}-${arch}`] = {
      release,
      version: spec.version,
      arch,
      size: bytes.byteLength,
      path,
      ftype: "tar.gz",
      sha256: await sha256Of(bytes),
      ...spec.item,
    };
  }
  return parseProducts({
    content_id: contentId,
    datatype: AGENT_DATATYPE,
    format: PRODUCTS_FORMAT,
    updated: UPDATED,
    products,
  });
}

export function productPath(contentId: string, extension = ".sjson"): string {
  return `streams/v1/${contentId.replaceAll(":", "-")}${extension}`;
}

export function indexOf(documents: readonly Products[], extension = ".sjson"): Index {
  return parseIndex({
    format: INDEX_FORMAT,
    updated: UPDATED,
    index: Object.fromEntries(
      documents.map((document) => [
        document.content_id,
        {
          datatype: AGENT_DATATYPE,
          format: PRODUCTS_FORMAT,
          path: productPath(document.content_id ?? "", extension),
          products: Object.keys(document.products).sort(),
          updated: UPDATED,
        },
      ]),
    ),
  });
}

function document<T>(path: string, value: T, signed: boolean) {
  const text = renderJson(value);
  return {
    path,
    url: `memory:///${path}`,
    signed,
    document: value,
    raw: encoder.encode(text),
    text,
    signature: signed
      ? { keyId: "0000000000000000", fingerprint: "0".repeat(40), signedAt: new Date(0) }
      : undefined,
  };
}

/** An `UpstreamTree` over documents, as `readUpstreamTree` would return it. */
export function upstreamTreeOf(
  documents: readonly Products[],
  options: { contentIds?: string[]; twins?: boolean } = {},
): UpstreamTree {
  const index = indexOf(documents);
  const contentIds = options.contentIds ?? documents.map((doc) => doc.content_id ?? "").sort();
  const products = new Map(
    documents
      .filter((doc) => contentIds.includes(doc.content_id ?? ""))
      .map((doc) => [doc.content_id ?? "", document(productPath(doc.content_id ?? ""), doc, true)]),
  );
  const twins = new Map<string, Uint8Array>();
  if (options.twins === true) {
    for (const products_ of products.values()) {
      twins.set(products_.path.replace(/\.sjson$/, ".json"), products_.raw);
    }
  }
  return {
    index: document("streams/v1/index2.sjson", index, true),
    contentIds,
    products,
    legacyIndex: undefined,
    twins,
    warnings: [],
  };
}

/**
 * An unsigned upstream held in memory: `files` by path (index2.json, product `.json`
 * files, tarballs). Create the sync with `allowUnsignedUpstream`. `onOpen` may replace an
 * object's body (to fail it mid-way).
 */
export function memoryUpstream(
  files: Map<string, Uint8Array>,
  options: { onOpen?: (path: string, object: UpstreamObject) => UpstreamObject } = {},
): Upstream {
  const url = "memory:///juju/tools";
  const read = (path: string): Uint8Array => {
    const bytes = files.get(path);
    if (bytes === undefined) {
      throw new UpstreamError(`not found: ${url}/${path}`, {
        url: `${url}/${path}`,
        reason: "not-found",
      });
    }
    return bytes;
  };
  const decode = <T>(path: string, parse: (value: unknown) => T) => {
    const raw = read(path);
    const text = new TextDecoder().decode(raw);
    return {
      path,
      url: `${url}/${path}`,
      signed: false,
      document: parse(parseJsonDocument(text)),
      raw,
      text,
      signature: undefined,
    };
  };
  return {
    url,
    async readIndex() {
      return decode("streams/v1/index2.json", parseIndex);
    },
    async readIndexAt(path) {
      return decode(path, parseIndex);
    },
    async readProducts(path) {
      return decode(path, parseProducts);
    },
    async fetchRaw(path) {
      return read(path);
    },
    async openObject(path, call = {}) {
      call.signal?.throwIfAborted();
      const bytes = read(path);
      const object: UpstreamObject = {
        url: `${url}/${path}`,
        body: new Blob([bytes as Uint8Array<ArrayBuffer>]).stream(),
        size: bytes.byteLength,
      };
      return options.onOpen?.(path, object) ?? object;
    },
  };
}

/** Files of an unsigned upstream tree: `index2.json`, product `.json` files, tarballs. */
export function upstreamFiles(
  documents: readonly Products[],
  tarballs: ReadonlyMap<string, Uint8Array>,
): Map<string, Uint8Array> {
  const files = new Map<string, Uint8Array>(tarballs);
  files.set("streams/v1/index2.json", encoder.encode(renderJson(indexOf(documents, ".json"))));
  for (const doc of documents) {
    files.set(productPath(doc.content_id ?? "", ".json"), encoder.encode(renderJson(doc)));
  }
  return files;
}
