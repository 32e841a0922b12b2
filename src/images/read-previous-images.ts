import { flattenProducts } from "../core/flatten.ts";
import { ParseError } from "../core/parse-error.ts";
import { parseIndex } from "../core/parse-index.ts";
import { parseJsonDocument } from "../core/parse-json.ts";
import { parseProducts } from "../core/parse-products.ts";
import { IMAGE_DATATYPE, type Index, type Products } from "../core/types.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { IMAGES_PREFIX, INDEX_PATH, streamOfProductPath } from "./image-paths.ts";
import type { PublishedItem } from "./published-item.ts";
import { readObjectText } from "./read-text.ts";

/** The image-ids tree as the store holds it: the starting point of the next publish. */
export interface PreviousImages {
  /** The unsigned index, when one was published. */
  index?: Index;
  /** Product documents of our streams, by stream. */
  products: Map<string, Products>;
  /** Key of the last publish: the newest version key in any product file. */
  lastVersionKey?: string;
  /** What the last publish listed: the items under `lastVersionKey`. */
  current: PublishedItem[];
  /** Files that could not be read back; the publish starts over without them. */
  warnings: string[];
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function readJson<T>(
  store: ObjectStore,
  key: string,
  parse: (value: unknown) => T,
  warnings: string[],
): Promise<T | undefined> {
  const text = await readObjectText(store, key);
  if (text === null) return undefined;
  try {
    return parse(parseJsonDocument(text));
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    warnings.push(`${key} is not valid (${describe(error)}); it is rebuilt from scratch`);
    return undefined;
  }
}

function currentItems(stream: string, doc: Products, versionKey: string): PublishedItem[] {
  const items: PublishedItem[] = [];
  for (const { productId, versionKey: key, fields } of flattenProducts(doc)) {
    if (key !== versionKey) continue;
    const { id, region, endpoint, version, arch, virt, root_store } = fields;
    if (!id || !region || !version || !arch) continue;
    items.push({
      stream,
      productId,
      version,
      arch,
      region,
      endpoint: endpoint ?? "",
      id,
      ...(virt ? { virt } : {}),
      ...(root_store ? { root_store } : {}),
    });
  }
  return items;
}

/**
 * Reads the published unsigned tree (`images/streams/v1/index.json` and the product files
 * of our streams). The unsigned files are the record: they are written on every publish,
 * signed or not. Store failures propagate — publishing over a tree we could not read
 * would lose its history — while a file that does not parse is reported and rebuilt.
 */
export async function readPreviousImages(store: ObjectStore): Promise<PreviousImages> {
  const warnings: string[] = [];
  const products = new Map<string, Products>();
  const index = await readJson(store, `${IMAGES_PREFIX}${INDEX_PATH}`, parseIndex, warnings);
  for (const entry of Object.values(index?.index ?? {})) {
    const stream = streamOfProductPath(entry.path);
    if (entry.datatype !== IMAGE_DATATYPE || stream === undefined || products.has(stream)) continue;
    const doc = await readJson(store, `${IMAGES_PREFIX}${entry.path}`, parseProducts, warnings);
    if (doc !== undefined) products.set(stream, doc);
  }
  let lastVersionKey: string | undefined;
  for (const doc of products.values()) {
    for (const product of Object.values(doc.products)) {
      for (const key of Object.keys(product.versions)) {
        if (lastVersionKey === undefined || key > lastVersionKey) lastVersionKey = key;
      }
    }
  }
  const current =
    lastVersionKey === undefined
      ? []
      : [...products].flatMap(([stream, doc]) =>
          currentItems(stream, doc, lastVersionKey as string),
        );
  return {
    ...(index === undefined ? {} : { index }),
    products,
    ...(lastVersionKey === undefined ? {} : { lastVersionKey }),
    current,
    warnings,
  };
}
