import type { ObjectStore } from "../store/object-store.ts";

export interface ListingEntry {
  /** One path segment; directories have no trailing `/`. */
  name: string;
  kind: "directory" | "file";
  /** Bytes of the file, or of every object below the directory. */
  bytes: number;
  /** 1 for a file; number of objects below a directory. */
  objects: number;
  /** Newest modification below this entry. */
  lastModified: Date;
}

export interface DirectoryListing {
  prefix: string;
  /** Directories first, then files, each by name. */
  entries: ListingEntry[];
  objects: number;
  bytes: number;
}

function hasHiddenSegment(rest: string): boolean {
  return rest.startsWith(".") || rest.includes("/.");
}

/**
 * Lists one level below `prefix` (`""` or ending in `/`), folding deeper keys into
 * directory entries. Keys with a segment starting with `.` are never shown, matching what
 * the tree route serves.
 */
export async function listDirectory(store: ObjectStore, prefix: string): Promise<DirectoryListing> {
  const entries = new Map<string, ListingEntry>();
  let objects = 0;
  let bytes = 0;
  for await (const info of store.list(prefix)) {
    const rest = info.key.slice(prefix.length);
    if (rest === "" || hasHiddenSegment(rest)) continue;
    objects += 1;
    bytes += info.size;
    const slash = rest.indexOf("/");
    const name = slash === -1 ? rest : rest.slice(0, slash);
    const kind = slash === -1 ? "file" : "directory";
    const id = `${kind}:${name}`;
    const entry = entries.get(id);
    if (entry === undefined) {
      entries.set(id, {
        name,
        kind,
        bytes: info.size,
        objects: 1,
        lastModified: info.lastModified,
      });
    } else {
      entry.bytes += info.size;
      entry.objects += 1;
      if (info.lastModified > entry.lastModified) entry.lastModified = info.lastModified;
    }
  }
  const sorted = [...entries.values()].sort((a, b) =>
    a.kind === b.kind
      ? a.name < b.name
        ? -1
        : a.name > b.name
          ? 1
          : 0
      : a.kind === "directory"
        ? -1
        : 1,
  );
  return { prefix, entries: sorted, objects, bytes };
}
