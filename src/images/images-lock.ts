import type { ObjectStore } from "../store/object-store.ts";
import { createLeaseLock, LockLostError } from "../sync/lease-lock.ts";
import type { Sleep } from "../sync/sleep.ts";

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

const DEFAULT_LEASE_MS = 60_000;

/**
 * Runs `work` holding the images lease lock (the one the agents sync uses, under another
 * key): acquired before the published tree is read, renewed while it is rewritten,
 * released after. If renewal finds the lock taken over, `work`'s signal aborts so it stops
 * before its next write. Returns the warnings a report should carry.
 *
 * @throws {LockHeldError} another writer holds a live lease and `wait` is off.
 */
export async function withImagesLock<T>(
  store: ObjectStore,
  options: ImagesLockOptions & { signal?: AbortSignal; now?: () => Date },
  work: (signal: AbortSignal, warnings: string[]) => Promise<T>,
): Promise<T> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const lock = createLeaseLock({
    store,
    key: IMAGES_LOCK_KEY,
    owner: options.owner ?? `streamgate images ${crypto.randomUUID()}`,
    leaseMs,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.sleep === undefined ? {} : { sleep: options.sleep }),
  });
  const acquired = await lock.acquire({
    wait: options.wait ?? false,
    ...(options.signal === undefined ? {} : { signal: options.signal }),
  });
  const warnings: string[] = [];
  if (acquired.tookOverFrom !== undefined) {
    warnings.push(
      `took over the images lock of ${JSON.stringify(acquired.tookOverFrom.owner)}, whose lease expired at ${acquired.tookOverFrom.expiresAt}`,
    );
  }
  if (lock.mode === "best-effort") {
    warnings.push(
      `the ${store.name} store has no conditional writes: the images lock is best effort`,
    );
  }
  const lost = new AbortController();
  let renewing = false;
  const renewal = setInterval(
    () => {
      if (renewing) return;
      renewing = true;
      lock
        .renew()
        .catch((error: unknown) => {
          if (error instanceof LockLostError) lost.abort(error);
        })
        .finally(() => {
          renewing = false;
        });
    },
    Math.max(1000, Math.floor(leaseMs / 3)),
  );
  (renewal as { unref?: () => void }).unref?.();
  const signal =
    options.signal === undefined ? lost.signal : AbortSignal.any([options.signal, lost.signal]);
  try {
    return await work(signal, warnings);
  } finally {
    clearInterval(renewal);
    await lock.release();
  }
}
