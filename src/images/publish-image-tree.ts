import type { PrivateKey } from "openpgp";
import { renderIndex, renderProducts } from "../core/render.ts";
import type { Index } from "../core/types.ts";
import { clearsign, isUnchangedClearsign } from "../signing/clearsign.ts";
import { ARMOR_CONFIG } from "../signing/openpgp-config.ts";
import { buildSignedIndex } from "../signing/signed-index.ts";
import type { ObjectStore } from "../store/object-store.ts";
import {
  IMAGES_PREFIX,
  INDEX_PATH,
  PUBLIC_KEY_KEY,
  productFilePath,
  signedPath,
} from "./image-paths.ts";
import type { FileChange } from "./images-report.ts";
import type { ImageTreePlan } from "./plan-image-tree.ts";
import { readObjectText } from "./read-text.ts";

export interface PublishImageTreeOptions {
  store: ObjectStore;
  plan: ImageTreePlan;
  /** Parsed with `parseSigningKey`; absent → unsigned `.json` only, stale `.sjson` removed. */
  signingKey?: PrivateKey;
  /** Work out the changes, write nothing. */
  dryRun?: boolean;
  /** Signature time of files that are (re-)signed. */
  now: Date;
  signal?: AbortSignal;
}

interface DesiredFile {
  key: string;
  /** The unsigned text; for `.sjson`, the text that is clearsigned. */
  text: string;
  signed: boolean;
}

const CONTENT_TYPES: Record<string, string> = {
  json: "application/json",
  sjson: "text/plain; charset=utf-8",
  asc: "text/plain; charset=utf-8",
};

// Files of ours under images/streams/v1/: anything else there (a hand-placed mirrors.json)
// is left alone.
const OUR_FILE =
  /^images\/streams\/v1\/(?:index|com\.ubuntu\.cloud-[a-z][a-z0-9]*-imagemetadata)\.s?json$/;
const INDEX_FILE = /^images\/streams\/v1\/index\.s?json$/;

function desiredFiles(plan: ImageTreePlan, signingKey: PrivateKey | undefined): DesiredFile[][] {
  const products: DesiredFile[] = [];
  for (const [stream, doc] of plan.products) {
    const key = `${IMAGES_PREFIX}${productFilePath(stream)}`;
    const text = renderProducts(doc);
    products.push({ key, text, signed: false });
    if (signingKey !== undefined) products.push({ key: signedPath(key), text, signed: true });
  }
  const publicKey: DesiredFile[] =
    signingKey === undefined
      ? []
      : [{ key: PUBLIC_KEY_KEY, text: signingKey.toPublic().armor(ARMOR_CONFIG), signed: false }];
  const indexKey = `${IMAGES_PREFIX}${INDEX_PATH}`;
  const index: DesiredFile[] = [{ key: indexKey, text: renderIndex(plan.index), signed: false }];
  if (signingKey !== undefined) {
    index.push({
      key: signedPath(indexKey),
      text: renderIndex(buildSignedIndex(plan.index).index as Index),
      signed: true,
    });
  }
  return [products, publicKey, index];
}

function contentType(key: string): string | undefined {
  return CONTENT_TYPES[key.slice(key.lastIndexOf(".") + 1)];
}

/**
 * Writes the planned tree so that a reader always finds a consistent one: product files
 * (unsigned, then signed) first, then the public key, then the index — the one file that
 * switches readers to the new products — and only then removes files nothing names any
 * more (a signed index before its signed products). A file whose bytes would not change is
 * not written; a `.sjson` whose signature by the same key covers the same text is kept.
 * Returns what changed (or, with `dryRun`, what would).
 */
export async function publishImageTree(options: PublishImageTreeOptions): Promise<FileChange[]> {
  const { store, plan, signingKey, dryRun = false, now, signal } = options;
  const changes: FileChange[] = [];
  const wanted = new Set<string>();
  for (const group of desiredFiles(plan, signingKey)) {
    for (const file of group) {
      signal?.throwIfAborted();
      wanted.add(file.key);
      const existing = await readObjectText(store, file.key);
      const unchanged = file.signed
        ? existing !== null &&
          (await isUnchangedClearsign(existing, file.text, signingKey as PrivateKey))
        : existing === file.text;
      if (unchanged) continue;
      changes.push({ key: file.key, action: "write" });
      if (dryRun) continue;
      const body = file.signed
        ? await clearsign(file.text, signingKey as PrivateKey, { date: now })
        : file.text;
      const type = contentType(file.key);
      await store.put(file.key, body, type === undefined ? {} : { contentType: type });
    }
  }
  const stale: string[] = [];
  for await (const info of store.list(`${IMAGES_PREFIX}streams/v1/`)) {
    if (OUR_FILE.test(info.key) && !wanted.has(info.key)) stale.push(info.key);
  }
  // Signed index first, so no served index ever names a product file already gone.
  stale.sort((a, b) => Number(INDEX_FILE.test(b)) - Number(INDEX_FILE.test(a)) || (a < b ? -1 : 1));
  for (const key of stale) changes.push({ key, action: "delete" });
  if (!dryRun && stale.length > 0) {
    signal?.throwIfAborted();
    const indexes = stale.filter((key) => INDEX_FILE.test(key));
    if (indexes.length > 0) await store.delete(indexes);
    const products = stale.filter((key) => !INDEX_FILE.test(key));
    if (products.length > 0) await store.delete(products);
  }
  return changes;
}
