import type { ObjectStore } from "../store/object-store.ts";
import type { Sleep } from "../sync/sleep.ts";
import { withLeaseLock } from "../sync/with-lease-lock.ts";

/** One images writer per store at a time (DESIGN.md §4: `.streamgate/lock/<job>`). */
export const IMAGES_LOCK_KEY = ".streamgate/lock/images";

export interface ImagesLockOptions {
  /** Shown to a writer that finds the lock held. Default `streamgate images <uuid>`. */
  owner?: string;
  /** Lease without renewal; renewed every third of it while held. Default 60 s. */
  leaseMs?: number;
  /** Wait for the holder (or its lease to expire) instead of failing. Default false. */
  wait?: boolean;
  sleep?: Sleep;
}

/**
 * Runs `work` holding the images lease lock (the one the agents sync uses, under another
 * key): acquired before the published tree is read, renewed while it is rewritten,
 * released after. See `withLeaseLock`.
 *
 * @throws {LockHeldError} another writer holds a live lease and `wait` is off.
 */
export function withImagesLock<T>(
  store: ObjectStore,
  options: ImagesLockOptions & { signal?: AbortSignal; now?: () => Date },
  work: (signal: AbortSignal, warnings: string[]) => Promise<T>,
): Promise<T> {
  return withLeaseLock(
    store,
    {
      ...options,
      key: IMAGES_LOCK_KEY,
      name: "images",
      owner: options.owner ?? `streamgate images ${crypto.randomUUID()}`,
    },
    work,
  );
}
