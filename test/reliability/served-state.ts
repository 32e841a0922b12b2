/**
 * @module
 * What a store serves, read straight from the store: the index text (to tell generations
 * apart), the tarballs the served metadata names, and the tarballs stored.
 */
import { createHash } from "node:crypto";
import {
  flattenProducts,
  parseIndex,
  parseJsonDocument,
  parseProducts,
} from "../../src/core/index.ts";
import { parseClearsigned } from "../../src/signing/index.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
import { AGENTS_PREFIX, INDEX_PATHS } from "../../src/sync/index.ts";

export const INDEX2_JSON_KEY = `${AGENTS_PREFIX}streams/v1/index2.json`;

export async function readText(store: ObjectStore, key: string): Promise<string | null> {
  const object = await store.get(key);
  return object === null ? null : new Response(object.body).text();
}

async function metadataText(store: ObjectStore, path: string): Promise<string | null> {
  const raw = await readText(store, `${AGENTS_PREFIX}${path}`);
  if (raw === null || !path.endsWith(".sjson")) return raw;
  return parseClearsigned(raw).text;
}

/**
 * A digest of what one index serves: its bytes and those of every product file it names
 * (`null` when the index is absent). Two reads agree exactly when a client would see the
 * same generation through that index.
 */
export async function servedGeneration(
  store: ObjectStore,
  indexPath: string,
): Promise<string | null> {
  const raw = await readText(store, `${AGENTS_PREFIX}${indexPath}`);
  if (raw === null) return null;
  const hash = createHash("sha256").update(raw);
  const text = indexPath.endsWith(".sjson") ? parseClearsigned(raw).text : raw;
  const paths = Object.values(parseIndex(parseJsonDocument(text)).index)
    .map((entry) => entry.path)
    .sort();
  for (const path of paths) {
    hash.update(`\0${path}\0${(await readText(store, `${AGENTS_PREFIX}${path}`)) ?? "absent"}`);
  }
  return hash.digest("hex");
}

/** Keys of every tarball a served index (through its product files) names. */
export async function namedTarballKeys(store: ObjectStore): Promise<Set<string>> {
  const keys = new Set<string>();
  for (const indexPath of INDEX_PATHS) {
    const indexText = await metadataText(store, indexPath);
    if (indexText === null) continue;
    for (const entry of Object.values(parseIndex(parseJsonDocument(indexText)).index)) {
      const productText = await metadataText(store, entry.path);
      if (productText === null) continue;
      for (const { fields } of flattenProducts(parseProducts(parseJsonDocument(productText)))) {
        if (fields.path !== undefined) keys.add(`${AGENTS_PREFIX}${fields.path}`);
      }
    }
  }
  return keys;
}

/** Keys of every tarball in the store (`juju/tools/agent/…`). */
export async function storedTarballKeys(store: ObjectStore): Promise<Set<string>> {
  const keys = new Set<string>();
  for await (const info of store.list(`${AGENTS_PREFIX}agent/`)) keys.add(info.key);
  return keys;
}
