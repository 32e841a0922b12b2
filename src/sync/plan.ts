import type { ObjectInfo } from "../store/object-store.ts";
import type { AgentsTree, MetadataFile, TarballSpec } from "./build-tree.ts";
import { treePaths } from "./build-tree.ts";
import type { PlannedCopy } from "./report.ts";
import { type ServedTree, servedPaths } from "./served-tree.ts";

export interface PlanAgentsSyncInput {
  tree: AgentsTree;
  /** Store info of every tarball path of the tree (`null`: absent). */
  tarballHeads: ReadonlyMap<string, ObjectInfo | null>;
  /** Store info of every metadata path of the tree and of `removeAfterSwitch`. */
  metadataHeads: ReadonlyMap<string, ObjectInfo | null>;
  served: ServedTree;
  /** Held tarballs whose bytes no longer hash to their recorded sha256 (`verifyExisting`). */
  corrupt?: ReadonlySet<string>;
}

export interface TarballCopy extends TarballSpec {
  reason: PlannedCopy["reason"];
  /** A tarball the served tree names is overwritten in place (upstream re-rolled it). */
  replacesServed: boolean;
}

/** What a sync has to do, computed without I/O: the diff of the wanted tree and the store. */
export interface AgentsPlan {
  /** Tarballs to copy; replacements of served tarballs last, to keep that window short. */
  copies: TarballCopy[];
  /** Tarballs already held with the right size and sha256. */
  held: TarballSpec[];
  /** Metadata whose bytes differ from the store's: products first, then indexes. */
  writes: MetadataFile[];
  /** Present paths of `tree.removeAfterSwitch`: deleted right after the indexes. */
  removeNow: string[];
  /** Served paths the new tree no longer names: deleted after the grace period. */
  retire: string[];
  /** The served metadata changes: the run publishes a new generation. */
  changesMetadata: boolean;
}

function holds(info: ObjectInfo | null | undefined, size: number, sha256: string): boolean {
  return info != null && info.size === size && info.sha256 === sha256;
}

/**
 * Diffs the tree a sync wants against what the store holds and serves. Pure, so
 * `--dry-run` is this plan printed.
 */
export function planAgentsSync(input: PlanAgentsSyncInput): AgentsPlan {
  const { tree, tarballHeads, metadataHeads, served } = input;
  const corrupt = input.corrupt ?? new Set<string>();
  const copies: TarballCopy[] = [];
  const held: TarballSpec[] = [];
  for (const spec of tree.tarballs.values()) {
    const info = tarballHeads.get(spec.path);
    if (corrupt.has(spec.path)) {
      copies.push({ ...spec, reason: "corrupt", replacesServed: served.tarballs.has(spec.path) });
    } else if (holds(info, spec.size, spec.sha256)) {
      held.push(spec);
    } else {
      copies.push({
        ...spec,
        reason: info == null ? "missing" : "differs",
        replacesServed: info != null && served.tarballs.has(spec.path),
      });
    }
  }
  copies.sort((a, b) => Number(a.replacesServed) - Number(b.replacesServed));

  const changed = (file: MetadataFile) =>
    !holds(metadataHeads.get(file.path), file.bytes.byteLength, file.sha256);
  const writes = [...tree.products.filter(changed), ...tree.indexes.filter(changed)];
  const removeNow = tree.removeAfterSwitch.filter((path) => metadataHeads.get(path) != null);

  const wanted = treePaths(tree);
  const now = new Set(removeNow);
  const retire = [...servedPaths(served)]
    .filter((path) => !wanted.has(path) && !now.has(path))
    .sort();
  return {
    copies,
    held,
    writes,
    removeNow,
    retire,
    changesMetadata: writes.length > 0 || removeNow.length > 0,
  };
}
