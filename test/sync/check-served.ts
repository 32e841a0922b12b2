import {
  flattenProducts,
  parseIndex,
  parseJsonDocument,
  parseProducts,
} from "../../src/core/index.ts";
import { parseClearsigned } from "../../src/signing/index.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";

const INDEXES = [
  "streams/v1/index2.sjson",
  "streams/v1/index.sjson",
  "streams/v1/index2.json",
  "streams/v1/index.json",
];

async function text(store: ObjectStore, path: string): Promise<string | null> {
  const object = await store.get(`juju/tools/${path}`);
  if (object === null) return null;
  const raw = await new Response(object.body).text();
  return path.endsWith(".sjson") ? parseClearsigned(raw).text : raw;
}

/**
 * Breaches of the publish invariant (DESIGN.md §4) in what the store serves: a product
 * file an index names that is missing (unless `mayBeAbsent` says its content id is not
 * mirrored), or a tarball a served product file names that is missing or differs from
 * its item. Independent of the sync's own tree reader.
 */
export async function servedTreeProblems(
  store: ObjectStore,
  mayBeAbsent: (contentId: string) => boolean = () => false,
): Promise<string[]> {
  const problems: string[] = [];
  for (const indexPath of INDEXES) {
    const indexText = await text(store, indexPath);
    if (indexText === null) continue;
    const index = parseIndex(parseJsonDocument(indexText));
    for (const [contentId, entry] of Object.entries(index.index)) {
      const productText = await text(store, entry.path);
      if (productText === null) {
        if (!mayBeAbsent(contentId)) problems.push(`${indexPath} names missing ${entry.path}`);
        continue;
      }
      for (const { fields } of flattenProducts(parseProducts(parseJsonDocument(productText)))) {
        const info = await store.head(`juju/tools/${fields.path}`);
        if (info === null) problems.push(`${entry.path} names missing ${fields.path}`);
        else if (info.size !== fields.size || info.sha256 !== fields.sha256) {
          problems.push(`${entry.path} names ${fields.path}, which differs`);
        }
      }
    }
  }
  return problems;
}
