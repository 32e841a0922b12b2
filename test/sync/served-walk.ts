/**
 * @module
 * Walks every product file a served agents tree advertises through its unsigned index
 * and checks each named tarball over HTTP, the way a thorough client would.
 */
import { createHash } from "node:crypto";
import {
  type FlatItem,
  flattenProducts,
  parseIndex,
  parseJsonDocument,
  parseProducts,
} from "../../src/core/index.ts";

export interface ServedItem {
  productFile: string;
  item: FlatItem;
}

export async function fetchText(url: string): Promise<{ status: number; text: string }> {
  const response = await fetch(url);
  return { status: response.status, text: await response.text() };
}

/** Every item of every product file `indexPath` names (unsigned index only). */
export async function servedItems(
  agentsUrl: string,
  indexPath = "streams/v1/index2.json",
): Promise<ServedItem[]> {
  const index = await fetchText(`${agentsUrl}/${indexPath}`);
  if (index.status !== 200) throw new Error(`${indexPath} answered ${index.status}`);
  const items: ServedItem[] = [];
  for (const entry of Object.values(parseIndex(parseJsonDocument(index.text)).index)) {
    const product = await fetchText(`${agentsUrl}/${entry.path}`);
    if (product.status !== 200) throw new Error(`${entry.path} answered ${product.status}`);
    for (const item of flattenProducts(parseProducts(parseJsonDocument(product.text)))) {
      items.push({ productFile: entry.path, item });
    }
  }
  return items;
}

/** Problems with the tarballs the items name: missing, or other size/sha256. */
export async function tarballProblems(agentsUrl: string, items: readonly FlatItem[]) {
  const problems: string[] = [];
  const seen = new Set<string>();
  for (const { fields } of items) {
    const path = fields.path ?? "";
    if (seen.has(path)) continue;
    seen.add(path);
    const response = await fetch(`${agentsUrl}/${path}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    if (response.status !== 200) problems.push(`${path}: HTTP ${response.status}`);
    else if (bytes.byteLength !== fields.size || sha256 !== fields.sha256) {
      problems.push(`${path}: ${bytes.byteLength} bytes, sha256 ${sha256}`);
    }
  }
  return { problems, checked: seen.size };
}
