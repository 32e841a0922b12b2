import {
  checkRelativePath,
  flattenProducts,
  type Index,
  parseIndex,
  parseJsonDocument,
  parseProducts,
} from "../core/index.ts";
import { parseClearsigned } from "../signing/index.ts";
import type { ObjectInfo, ObjectStore } from "../store/object-store.ts";
import { messageOf } from "./errors.ts";
import { agentsKey, INDEX_PATHS } from "./layout.ts";

/**
 * What the store serves right now, as Juju would reach it: the index files present, the
 * product files they name that are present, and the tarballs those name. Paths are
 * relative to the `…/juju/tools` base.
 */
export interface ServedTree {
  /** Present index files and product files reachable from them, with their store info. */
  metadata: Map<string, ObjectInfo>;
  /** Product paths some present index names, whether present or not. */
  namedProducts: Set<string>;
  /** Tarball paths named by a present product file. */
  tarballs: Set<string>;
  /**
   * Files that could not be read or parsed. When not empty, what the tree references is
   * not fully known, and nothing may be garbage-collected.
   */
  problems: string[];
}

const decoder = new TextDecoder();

async function readText(
  store: ObjectStore,
  path: string,
): Promise<{ text: string; info: ObjectInfo } | null> {
  const object = await store.get(agentsKey(path));
  if (object === null) return null;
  const text = decoder.decode(await new Response(object.body).arrayBuffer());
  // Juju verifies what it reads; here only what the files name matters, so the signed
  // text is taken as is.
  return { text: path.endsWith(".sjson") ? parseClearsigned(text).text : text, info: object };
}

/** Reads the tree the store serves under `juju/tools/` (never throws for a bad file). */
export async function readServedTree(store: ObjectStore): Promise<ServedTree> {
  const tree: ServedTree = {
    metadata: new Map(),
    namedProducts: new Set(),
    tarballs: new Set(),
    problems: [],
  };
  const indexes = await Promise.all(
    INDEX_PATHS.map(async (path) => {
      try {
        const read = await readText(store, path);
        if (read === null) return null;
        tree.metadata.set(path, read.info);
        return parseIndex(parseJsonDocument(read.text)) as Index;
      } catch (error) {
        tree.problems.push(`${path}: ${messageOf(error)}`);
        return null;
      }
    }),
  );
  for (const index of indexes) {
    for (const entry of Object.values(index?.index ?? {})) {
      if (checkRelativePath(entry.path) === undefined) tree.namedProducts.add(entry.path);
      else tree.problems.push(`an index names the unsafe path ${JSON.stringify(entry.path)}`);
    }
  }
  await Promise.all(
    [...tree.namedProducts].map(async (path) => {
      try {
        const read = await readText(store, path);
        if (read === null) return;
        tree.metadata.set(path, read.info);
        for (const { fields } of flattenProducts(parseProducts(parseJsonDocument(read.text)))) {
          if (typeof fields.path === "string" && fields.path !== "") tree.tarballs.add(fields.path);
        }
      } catch (error) {
        tree.problems.push(`${path}: ${messageOf(error)}`);
      }
    }),
  );
  return tree;
}

/** Every path the served tree needs: present metadata and the tarballs it names. */
export function servedPaths(tree: ServedTree): Set<string> {
  return new Set([...tree.metadata.keys(), ...tree.tarballs]);
}
