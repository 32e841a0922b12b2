import { compareKeys } from "../store/keys.ts";

/**
 * How a bundle treats an object, in the order it is written and published:
 * - `object`: payload that never changes under its key (agent tarballs): streamed straight
 *   to its final key on import when the key is free;
 * - `metadata`: product files and the image-signing key: small, mutable, held until the
 *   whole bundle is verified;
 * - `index`: `streams/v1/index*.(s)json`, the one pointer Juju starts from: written last.
 */
export type ObjectClass = "object" | "metadata" | "index";

const CLASS_RANK: Record<ObjectClass, number> = { object: 0, metadata: 1, index: 2 };

const METADATA_NAME = /\.s?json$/;
const INDEX_NAME = /^index[^/]*\.s?json$/;

/**
 * The class of a published key (DESIGN.md §4): JSON under a `streams/` folder is metadata,
 * and `streams/v1/index*.(s)json` the index; everything under `keys/` is metadata (the
 * public key of signed image-ids changes with the operator's key); all else is payload.
 */
export function classifyKey(key: string): ObjectClass {
  const segments = key.split("/");
  const name = segments[segments.length - 1] ?? "";
  const streams = segments.lastIndexOf("streams", segments.length - 2);
  if (streams !== -1 && METADATA_NAME.test(name)) {
    const isIndex =
      segments[streams + 1] === "v1" && streams + 3 === segments.length && INDEX_NAME.test(name);
    return isIndex ? "index" : "metadata";
  }
  return segments[0] === "keys" ? "metadata" : "object";
}

/** Bundle order: payload, then metadata, then index files; by key within a class. */
export function compareForBundle(a: string, b: string): number {
  return CLASS_RANK[classifyKey(a)] - CLASS_RANK[classifyKey(b)] || compareKeys(a, b);
}
