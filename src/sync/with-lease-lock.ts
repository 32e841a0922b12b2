import type { ObjectStore } from "../store/object-store.ts";
import { createLeaseLock, LockLostError } from "./lease-lock.ts";
import type { Sleep } from "./sleep.ts";

export interface WithLeaseLockOptions {
  /** The lock object's key, e.g. `.streamgate/lock/images`. */
  key: string;
  /** What the lock guards, in warnings: `images`, `agents`. */
  name: string;
  /** Shown to a writer that finds the lock held. */
  owner: string;
  /** Lease without renewal; renewed every third of it while held. Default 60 s. */
  leaseMs?: number;
  /** Wait for the holder (or its lease to expire) instead of failing. Default false. */
  wait?: boolean;
  signal?: AbortSignal;
  now?: () => Date;
  sleep?: Sleep;
}

const DEFAULT_LEASE_MS = 60_000;

/**
 * Runs `work` holding a lease lock on the store: acquired first, renewed while `work`
 * runs, released after. If renewal finds the lock taken over, `work`'s signal aborts so it
 * stops before its next write. `warnings` (a takeover, a best-effort lock) are for the
 * caller's report.
 *
 * @throws {LockHeldError} another writer holds a live lease and `wait` is off.
 */
export async function withLeaseLock<T>(
  store: ObjectStore,
  options: WithLeaseLockOptions,
  work: (signal: AbortSignal, warnings: string[]) => Promise<T>,
): Promise<T> {
  const leaseMs = options.leaseMs ?? DEFAULT_LEASE_MS;
  const lock = createLeaseLock({
    store,
    key: options.key,
    owner: options.owner,
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
      `took over the ${options.name} lock of ${JSON.stringify(acquired.tookOverFrom.owner)}, whose lease expired at ${acquired.tookOverFrom.expiresAt}`,
    );
  }
  if (lock.mode === "best-effort") {
    warnings.push(
      `the ${store.name} store has no conditional writes: the ${options.name} lock is best effort`,
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
