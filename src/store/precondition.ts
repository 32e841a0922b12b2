import type { ObjectInfo, PutOptions } from "./object-store.ts";

/** An etag as callers may pass it: bare, or quoted as in an HTTP header. */
function bareEtag(etag: string): string {
  return etag.length >= 2 && etag.startsWith('"') && etag.endsWith('"') ? etag.slice(1, -1) : etag;
}

/**
 * Whether a put's `ifNoneMatch` / `ifMatch` allow writing over `current` (`null`: no
 * object). Both given means both must hold, which no object satisfies.
 */
export function preconditionHolds(current: ObjectInfo | null, options: PutOptions): boolean {
  if (options.ifNoneMatch === "*" && current !== null) return false;
  if (options.ifMatch !== undefined) {
    return current !== null && bareEtag(current.etag) === bareEtag(options.ifMatch);
  }
  return true;
}

/** Whether a put has to read the current object before writing. */
export function isConditional(options: PutOptions): boolean {
  return options.ifNoneMatch === "*" || options.ifMatch !== undefined;
}
