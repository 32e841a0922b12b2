import pLimit from "p-limit";
import {
  AGENT_DATATYPE,
  type Index,
  parseAgentContentId,
  parseJsonDocument,
  renderJson,
} from "../core/index.ts";
import {
  isUpstreamError,
  type Upstream,
  type UpstreamIndex,
  type UpstreamProducts,
} from "../upstream/index.ts";
import { messageOf, SyncRefusal } from "./errors.ts";
import { INDEX_SJSON, INDEX2_SJSON, LEGACY_INDEX_CONTENT_ID, unsignedTwin } from "./layout.ts";

export interface ReadUpstreamTreeOptions {
  mode: "filtered" | "exact";
  streams: readonly string[];
  legacyTools: boolean;
  signal?: AbortSignal;
  /** Product files read at once. */
  concurrency: number;
}

/** The upstream metadata one sync works from, every signed file verified. */
export interface UpstreamTree {
  index: UpstreamIndex;
  /** Agent content ids of the index this sync mirrors, sorted. */
  contentIds: string[];
  /** Their product files, by content id. */
  products: Map<string, UpstreamProducts>;
  /** Exact mode: the legacy `index.sjson`, when it lists only mirrored product files. */
  legacyIndex: UpstreamIndex | undefined;
  /**
   * Exact mode: the unsigned `.json` twins (by path) of every signed file published, each
   * checked to say what its signed file says. Empty when upstream lacks any of them.
   */
  twins: Map<string, Uint8Array>;
  warnings: string[];
}

/** The agent content ids of `index` that the streams (and `legacyTools`) ask for. */
export function mirroredContentIds(
  index: Index,
  streams: readonly string[],
  legacyTools: boolean,
): string[] {
  return Object.keys(index.index)
    .filter((contentId) => {
      const parsed = parseAgentContentId(contentId);
      return (
        parsed !== undefined &&
        index.index[contentId]?.datatype === AGENT_DATATYPE &&
        streams.includes(parsed.stream) &&
        (!parsed.legacy || legacyTools)
      );
    })
    .sort();
}

const decoder = new TextDecoder("utf-8", { fatal: true });

function canonical(text: string): string {
  return renderJson(parseJsonDocument(text));
}

/** The index as its unsigned twin should read: the same, naming `.json` product files. */
function unsignedView(index: Index): Index {
  const entries = Object.fromEntries(
    Object.entries(index.index).map(([contentId, entry]) => [
      contentId,
      { ...entry, path: unsignedTwin(entry.path) },
    ]),
  );
  return { ...index, index: entries };
}

/**
 * Reads the index the way Juju does, then the product files of the mirrored content ids;
 * in exact mode also the legacy index and the unsigned twins it will publish verbatim.
 * Every `.sjson` is verified by the `Upstream` (its key); every unsigned twin must say
 * exactly what its signed file says, or the run is refused.
 *
 * @throws {UpstreamError} unreachable, unsigned, badly signed or malformed metadata.
 * @throws {SyncRefusal} an unsigned twin that differs from its signed file.
 */
export async function readUpstreamTree(
  upstream: Upstream,
  options: ReadUpstreamTreeOptions,
): Promise<UpstreamTree> {
  const { signal } = options;
  const warnings: string[] = [];
  const index = await upstream.readIndex({ signal });
  if (!index.signed) {
    warnings.push(
      `the upstream index ${index.path} is not signed (allowUnsignedUpstream): its content is trusted as served`,
    );
  }
  const contentIds = mirroredContentIds(index.document, options.streams, options.legacyTools);
  const limit = pLimit(options.concurrency);
  const products = new Map<string, UpstreamProducts>();
  await Promise.all(
    contentIds.map((contentId) =>
      limit(async () => {
        const entry = index.document.index[contentId];
        if (entry === undefined) return;
        products.set(contentId, await upstream.readProducts(entry.path, { signal, contentId }));
      }),
    ),
  );
  const tree: UpstreamTree = {
    index,
    contentIds,
    products,
    legacyIndex: undefined,
    twins: new Map(),
    warnings,
  };
  if (options.mode === "exact") {
    tree.legacyIndex = await readLegacyIndex(upstream, tree, signal);
    tree.twins = await readTwins(upstream, tree, limit, signal);
  }
  return tree;
}

async function readLegacyIndex(
  upstream: Upstream,
  tree: UpstreamTree,
  signal: AbortSignal | undefined,
): Promise<UpstreamIndex | undefined> {
  if (tree.index.path !== INDEX2_SJSON || !tree.contentIds.includes(LEGACY_INDEX_CONTENT_ID)) {
    return undefined;
  }
  let legacy: UpstreamIndex;
  try {
    legacy = await upstream.readIndexAt(INDEX_SJSON, { signal });
  } catch (error) {
    if (!isUpstreamError(error, "not-found")) throw error;
    tree.warnings.push(
      `upstream has no ${INDEX_SJSON}: Juju clients that read only it find nothing`,
    );
    return undefined;
  }
  for (const [contentId, entry] of Object.entries(legacy.document.index)) {
    if (
      tree.index.document.index[contentId]?.path !== entry.path ||
      !tree.contentIds.includes(contentId)
    ) {
      tree.warnings.push(
        `${INDEX_SJSON} lists ${contentId} at ${entry.path}, which this mirror does not hold: it is not published`,
      );
      return undefined;
    }
  }
  return legacy;
}

async function readTwins(
  upstream: Upstream,
  tree: UpstreamTree,
  limit: ReturnType<typeof pLimit>,
  signal: AbortSignal | undefined,
): Promise<Map<string, Uint8Array>> {
  const expected = new Map<string, string>();
  const indexes = [tree.index, ...(tree.legacyIndex === undefined ? [] : [tree.legacyIndex])];
  for (const index of indexes) {
    expected.set(unsignedTwin(index.path), renderJson(unsignedView(index.document)));
  }
  for (const products of tree.products.values()) {
    expected.set(unsignedTwin(products.path), canonical(products.text));
  }
  const twins = new Map<string, Uint8Array>();
  const missing: string[] = [];
  await Promise.all(
    [...expected].map(([path, wanted]) =>
      limit(async () => {
        let raw: Uint8Array;
        try {
          raw = await upstream.fetchRaw(path, { signal });
        } catch (error) {
          if (!isUpstreamError(error, "not-found")) throw error;
          missing.push(path);
          return;
        }
        let same: boolean;
        try {
          same = canonical(decoder.decode(raw)) === wanted;
        } catch (error) {
          throw new SyncRefusal({
            kind: "metadata",
            path,
            message: `upstream's unsigned ${path} is not valid JSON (${messageOf(error)}); refusing to publish it next to its signed twin`,
          });
        }
        if (!same) {
          throw new SyncRefusal({
            kind: "metadata",
            path,
            message: `upstream's unsigned ${path} says something else than its signed .sjson twin; refusing to publish it`,
          });
        }
        twins.set(path, raw);
      }),
    ),
  );
  if (missing.length > 0) {
    tree.warnings.push(
      `upstream lacks the unsigned twin(s) ${missing.sort().join(", ")}: only the signed .sjson files are published (readers of unsigned metadata find nothing)`,
    );
    return new Map();
  }
  return twins;
}
