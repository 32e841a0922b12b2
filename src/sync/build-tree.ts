import {
  AGENT_DATATYPE,
  type AgentFilter,
  type AgentItem,
  type AgentSelection,
  buildIndex,
  buildProducts,
  checkRelativePath,
  compareJujuVersions,
  type FlatItem,
  flattenProducts,
  formatJujuVersion,
  formatUpdated,
  type IndexEntry,
  nestItems,
  PRODUCTS_FORMAT,
  renderIndex,
  renderProducts,
  selectAgentItems,
} from "../core/index.ts";
import { isValidKey } from "../store/keys.ts";
import { SyncRefusal } from "./errors.ts";
import {
  agentsKey,
  contentAddressedPath,
  INDEX_JSON,
  INDEX_PATHS,
  INDEX2_JSON,
  LEGACY_INDEX_CONTENT_ID,
  unsignedTwin,
} from "./layout.ts";
import type { UpstreamTree } from "./read-upstream.ts";
import { sha256Hex } from "./sha256.ts";

/** One tarball the mirror must hold, with the size and sha256 its signed items claim. */
export interface TarballSpec {
  /** Relative to the base; also the store key under `juju/tools/`. */
  path: string;
  size: number;
  sha256: string;
  /** Every item naming it (`<content id> <product id> <version key> <item key>`). */
  items: string[];
}

/** A metadata file to publish, bytes final. */
export interface MetadataFile {
  path: string;
  bytes: Uint8Array;
  sha256: string;
  kind: "product" | "index";
}

/** The tree a sync publishes: everything it must hold once the run is done. */
export interface AgentsTree {
  /** By path. */
  tarballs: Map<string, TarballSpec>;
  /** Written after every tarball is held, before any index. */
  products: MetadataFile[];
  /** The mutable pointers, written last. */
  indexes: MetadataFile[];
  /**
   * Removed right after the indexes are written: index files this mode does not serve
   * (agent `.sjson` in filtered mode) and, in exact mode, the product files of streams not
   * mirrored, which the copied index still names and which must answer 404.
   */
  removeAfterSwitch: string[];
  selection: {
    versions: string[];
    items: number;
    latest: Record<string, string>;
    missingPins: string[];
  };
}

// When upstream states no `updated`: a constant, so unchanged input renders byte-identical.
const NO_DATE = formatUpdated(new Date(0));
const encoder = new TextEncoder();
const MAX_LISTED = 5;

export function describeItem(item: FlatItem): string {
  return `${item.contentId ?? "?"} ${item.productId} ${item.versionKey} ${item.itemKey}`;
}

function listed(lines: readonly string[]): string {
  const shown = lines.slice(0, MAX_LISTED).join("; ");
  return lines.length > MAX_LISTED ? `${shown}; and ${lines.length - MAX_LISTED} more` : shown;
}

function flatItemsOf(tree: UpstreamTree): { flat: FlatItem[]; fileOf: Map<string, string> } {
  const flat: FlatItem[] = [];
  const fileOf = new Map<string, string>();
  for (const contentId of tree.contentIds) {
    const products = tree.products.get(contentId);
    if (products === undefined) continue;
    fileOf.set(contentId, products.path);
    flat.push(...flattenProducts(products.document));
  }
  return { flat, fileOf };
}

function refuseInvalid(selection: AgentSelection, fileOf: Map<string, string>): void {
  if (selection.invalid.length === 0) return;
  const lines = selection.invalid.map(
    ({ item, reason }) =>
      `${fileOf.get(item.contentId ?? "") ?? "?"}: item ${describeItem(item)}: ${reason}`,
  );
  const first = selection.invalid[0]?.item;
  throw new SyncRefusal({
    kind: "metadata",
    ...(first === undefined ? {} : { path: fileOf.get(first.contentId ?? "") }),
    items: selection.invalid.map(({ item }) => describeItem(item)),
    message: `upstream lists ${selection.invalid.length} agent item(s) Juju cannot use (it would fail to read or download them): ${listed(lines)}; refusing to sync from it`,
  });
}

/** Checks every item's path and groups items by tarball; one tarball, one size and sha256. */
function collectTarballs(
  items: readonly AgentItem[],
  fileOf: Map<string, string>,
): Map<string, TarballSpec> {
  const tarballs = new Map<string, TarballSpec>();
  for (const item of items) {
    const file = fileOf.get(item.contentId) ?? "?";
    const reason =
      checkRelativePath(item.path) ??
      (item.path.startsWith("streams/")
        ? "is under streams/, where the metadata lives"
        : isValidKey(agentsKey(item.path))
          ? undefined
          : "is not a valid object key");
    if (reason !== undefined) {
      throw new SyncRefusal({
        kind: "metadata",
        path: file,
        items: [describeItem(item)],
        message: `${file}: item ${describeItem(item)} has the unsafe path ${JSON.stringify(item.path)}: ${reason}; refusing to sync from this upstream`,
      });
    }
    const known = tarballs.get(item.path);
    if (known === undefined) {
      tarballs.set(item.path, {
        path: item.path,
        size: item.size,
        sha256: item.sha256,
        items: [describeItem(item)],
      });
      continue;
    }
    if (known.size !== item.size || known.sha256 !== item.sha256) {
      throw new SyncRefusal({
        kind: "metadata",
        path: item.path,
        items: [...known.items, describeItem(item)],
        message: `upstream items disagree about ${item.path}: ${known.items[0]} says ${known.size} bytes, sha256 ${known.sha256}; ${describeItem(item)} says ${item.size} bytes, sha256 ${item.sha256}`,
      });
    }
    known.items.push(describeItem(item));
  }
  return tarballs;
}

function selectionSummary(selection: AgentSelection): AgentsTree["selection"] {
  const versions = new Map(selection.items.map((item) => [formatJujuVersion(item.version), item]));
  return {
    versions: [...versions.values()]
      .sort((a, b) => compareJujuVersions(a.version, b.version))
      .map((item) => formatJujuVersion(item.version)),
    items: selection.items.length,
    latest: selection.latest,
    missingPins: selection.missingPins,
  };
}

async function metadataFile(
  path: string,
  content: string | Uint8Array,
  kind: "product" | "index",
): Promise<MetadataFile> {
  const bytes = typeof content === "string" ? encoder.encode(content) : content;
  return { path, bytes, sha256: await sha256Hex(bytes), kind };
}

function describeFilter(filter: AgentFilter): string {
  const parts = [
    `streams ${filter.streams?.join(",") ?? "all"}`,
    filter.minVersion === undefined ? undefined : `min-version ${filter.minVersion}`,
    filter.maxVersion === undefined ? undefined : `max-version ${filter.maxVersion}`,
    filter.arches === undefined ? undefined : `arches ${filter.arches.join(",")}`,
    filter.oses === undefined ? undefined : `os ${filter.oses.join(",")}`,
    filter.keep === undefined ? undefined : `keep ${filter.keep}`,
  ];
  return parts.filter((part) => part !== undefined).join(", ");
}

/**
 * Filtered mode: our own unsigned `.json` metadata listing exactly the selected items —
 * content-addressed product files, `index2.json`, and `index.json` when legacy released
 * tools are mirrored (Juju ≤ 2.8's index lists only them). Agent `.sjson` files must
 * answer 404: a signed file would name tarballs the mirror lacks (juju-contract §6).
 * Renders byte-identically from unchanged input: `updated` comes from upstream.
 *
 * @throws {SyncRefusal} invalid items in scope, unsafe paths, disagreeing items, or a
 *   selection that is empty.
 */
export async function buildFilteredTree(
  tree: UpstreamTree,
  filter: AgentFilter,
): Promise<AgentsTree> {
  const { flat, fileOf } = flatItemsOf(tree);
  const selection = selectAgentItems(flat, filter);
  refuseInvalid(selection, fileOf);
  if (selection.items.length === 0) {
    throw new SyncRefusal({
      kind: "selection",
      message: `the filters (${describeFilter(filter)}) select no agent binaries from ${tree.index.url}; refusing to publish an empty mirror`,
    });
  }
  const tarballs = collectTarballs(selection.items, fileOf);

  const byContentId = new Map<string, AgentItem[]>();
  for (const item of selection.items) {
    const items = byContentId.get(item.contentId) ?? [];
    items.push(item);
    byContentId.set(item.contentId, items);
  }
  const indexUpdated = tree.index.document.updated ?? NO_DATE;
  const products: MetadataFile[] = [];
  const entries: Record<string, IndexEntry> = {};
  for (const contentId of [...byContentId.keys()].sort()) {
    const upstreamEntry = tree.index.document.index[contentId];
    const upstreamProducts = tree.products.get(contentId);
    const items = byContentId.get(contentId) ?? [];
    if (upstreamEntry === undefined || upstreamProducts === undefined) continue;
    const updated = upstreamProducts.document.updated ?? upstreamEntry.updated ?? indexUpdated;
    const text = renderProducts(
      buildProducts({ contentId, updated, products: nestItems(items), datatype: AGENT_DATATYPE }),
    );
    const bytes = encoder.encode(text);
    const sha256 = await sha256Hex(bytes);
    const path = contentAddressedPath(upstreamEntry.path, sha256);
    products.push({ path, bytes, sha256, kind: "product" });
    entries[contentId] = {
      datatype: AGENT_DATATYPE,
      format: PRODUCTS_FORMAT,
      path,
      products: [...new Set(items.map((item) => item.productId))].sort(),
      updated,
    };
  }

  const indexes = [
    await metadataFile(INDEX2_JSON, renderIndex(buildIndex(entries, indexUpdated)), "index"),
  ];
  const legacyEntry = entries[LEGACY_INDEX_CONTENT_ID];
  if (legacyEntry !== undefined) {
    const legacy = buildIndex({ [LEGACY_INDEX_CONTENT_ID]: legacyEntry }, indexUpdated);
    indexes.push(await metadataFile(INDEX_JSON, renderIndex(legacy), "index"));
  }
  const written = new Set(indexes.map((file) => file.path));
  return {
    tarballs,
    products,
    indexes,
    removeAfterSwitch: INDEX_PATHS.filter((path) => !written.has(path)),
    selection: selectionSummary(selection),
  };
}

/**
 * Exact mode: upstream's signed files byte for byte (and their checked unsigned twins) for
 * the mirrored content ids, and every tarball they name — all versions, arches and OSes.
 * Product files of other streams stay named by the copied index and must answer 404.
 *
 * @throws {SyncRefusal} any item Juju cannot use, unsafe paths, disagreeing items.
 */
export async function buildExactTree(tree: UpstreamTree): Promise<AgentsTree> {
  const { flat, fileOf } = flatItemsOf(tree);
  const selection = selectAgentItems(flat, { legacyTools: true });
  refuseInvalid(selection, fileOf);
  if (selection.items.length !== flat.length) {
    const kept = new Set(selection.items.map((item) => item.item));
    const stray = flat.filter((item) => !kept.has(item.item));
    throw new SyncRefusal({
      kind: "metadata",
      items: stray.map(describeItem),
      message: `upstream product files hold items that are not agents of their content id: ${listed(stray.map(describeItem))}`,
    });
  }
  const tarballs = collectTarballs(selection.items, fileOf);
  const withTwins = tree.twins.size > 0;
  const twinOf = async (path: string, kind: "product" | "index") => {
    const twin = tree.twins.get(unsignedTwin(path));
    return withTwins && twin !== undefined
      ? [await metadataFile(unsignedTwin(path), twin, kind)]
      : [];
  };

  const products: MetadataFile[] = [];
  for (const contentId of tree.contentIds) {
    const upstreamProducts = tree.products.get(contentId);
    if (upstreamProducts === undefined) continue;
    products.push(await metadataFile(upstreamProducts.path, upstreamProducts.raw, "product"));
    products.push(...(await twinOf(upstreamProducts.path, "product")));
  }
  const indexes: MetadataFile[] = [];
  for (const index of [tree.index, tree.legacyIndex]) {
    if (index === undefined) continue;
    indexes.push(await metadataFile(index.path, index.raw, "index"));
    indexes.push(...(await twinOf(index.path, "index")));
  }

  const mirrored = new Set(products.map((file) => file.path));
  const unmirrored = new Set<string>();
  for (const index of [tree.index, tree.legacyIndex]) {
    for (const entry of Object.values(index?.document.index ?? {})) {
      for (const path of [entry.path, unsignedTwin(entry.path)]) {
        if (!mirrored.has(path)) unmirrored.add(path);
      }
    }
  }
  const written = new Set(indexes.map((file) => file.path));
  return {
    tarballs,
    products,
    indexes,
    removeAfterSwitch: [
      ...INDEX_PATHS.filter((path) => !written.has(path)),
      ...[...unmirrored].sort(),
    ],
    selection: selectionSummary(selection),
  };
}

/** Every path the tree serves once published. */
export function treePaths(tree: AgentsTree): Set<string> {
  return new Set([
    ...tree.tarballs.keys(),
    ...tree.products.map((file) => file.path),
    ...tree.indexes.map((file) => file.path),
  ]);
}
