import type { ObjectInfo } from "../store/object-store.ts";
import { classifyKey, compareForBundle, type ObjectClass } from "./classify-key.ts";

/** One object of the store as the export will treat it. */
export interface PlannedObject {
  key: string;
  size: number;
  /** As recorded by the store; the export hashes included objects that lack one. */
  sha256?: string;
  lastModified: Date;
  objectClass: ObjectClass;
  included: boolean;
}

/**
 * Orders the store's objects for a bundle and decides which go in. Without `since`
 * everything does. With it, metadata and index files always go in (they are small and
 * the importer must publish a coherent set), and payload goes in when the store last
 * wrote it at or after `since` — the publish time of the generation the other side is
 * known to hold. "At or after" errs towards including: an object written in the same
 * millisecond as that publish is carried again rather than missed.
 */
export function planExport(listing: readonly ObjectInfo[], since?: Date): PlannedObject[] {
  return [...listing]
    .sort((a, b) => compareForBundle(a.key, b.key))
    .map((info) => {
      const objectClass = classifyKey(info.key);
      const included =
        since === undefined ||
        objectClass !== "object" ||
        info.lastModified.getTime() >= since.getTime();
      return {
        key: info.key,
        size: info.size,
        ...(info.sha256 === undefined ? {} : { sha256: info.sha256 }),
        lastModified: info.lastModified,
        objectClass,
        included,
      };
    });
}
