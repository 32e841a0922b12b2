/** A simplestreams index document (`format: "index:1.0"`), typed only as far as signing needs. */
export interface IndexDocument {
  format: "index:1.0";
  index: Record<string, unknown>;
  [field: string]: unknown;
}

/** One index entry whose product file path was pointed at the signed twin. */
export interface IndexPathRewrite {
  contentId: string;
  from: string;
  to: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function isIndexDocument(document: unknown): document is IndexDocument {
  return isRecord(document) && document.format === "index:1.0" && isRecord(document.index);
}

/**
 * The index to publish as `.sjson`: every entry's product `path` ending in `.json` points at
 * the `.sjson` twin instead, because Juju only follows a signed index to signed product
 * files (juju-contract.md §3, §6; `juju metadata sign` forgets this). Returns a new
 * document and leaves the unsigned one as it was; key order is kept.
 */
export function buildSignedIndex(document: IndexDocument): {
  index: IndexDocument;
  rewrites: IndexPathRewrite[];
} {
  const rewrites: IndexPathRewrite[] = [];
  const entries: Record<string, unknown> = {};
  for (const [contentId, entry] of Object.entries(document.index)) {
    if (isRecord(entry) && typeof entry.path === "string" && entry.path.endsWith(".json")) {
      const to = `${entry.path.slice(0, -".json".length)}.sjson`;
      rewrites.push({ contentId, from: entry.path, to });
      entries[contentId] = { ...entry, path: to };
    } else {
      entries[contentId] = entry;
    }
  }
  return { index: { ...document, index: entries }, rewrites };
}
