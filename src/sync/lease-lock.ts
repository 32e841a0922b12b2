import { PreconditionFailedError } from "../store/errors.ts";
import type { ObjectInfo, ObjectStore } from "../store/object-store.ts";
import { sleep as defaultSleep, type Sleep } from "./sleep.ts";

/** What the lock object holds (JSON at the lock key). */
export interface LeaseRecord {
  /** Unique per locker: who holds the lock. */
  owner: string;
  acquiredAt: string;
  /** The holder is presumed dead after this instant; anyone may then take the lock over. */
  expiresAt: string;
}

export interface LeaseLockOptions {
  store: ObjectStore;
  /** e.g. `.streamgate/lock/agents`. */
  key: string;
  /** Unique id of this locker (`cli@host pid 123 …`); two lockers must never share one. */
  owner: string;
  /** How long a lease lasts without renewal, in ms (sync: `--lock-lease` seconds). */
  leaseMs: number;
  now?: () => Date;
  sleep?: Sleep;
  /** Longest wait between two attempts with `wait`. Default 1 000 ms. */
  pollMs?: number;
  /**
   * Without conditional writes: how long to wait after writing before reading the lock
   * back, so a competing writer's put lands first. Default 250 ms.
   */
  settleMs?: number;
}

export interface AcquireOptions {
  /** Wait for the holder to release (or its lease to expire) instead of failing. */
  wait?: boolean;
  signal?: AbortSignal;
}

export interface Acquired {
  /** The holder whose lease had expired and whose lock was taken over, if any. */
  tookOverFrom: LeaseRecord | undefined;
  expiresAt: Date;
}

/**
 * A lease lock kept as one object in the store, so that two syncs — on one host, on two
 * hosts, or a Worker and a CLI — never run against one store at once. A holder renews its
 * lease while it runs; a holder killed without releasing blocks others for at most one
 * lease, after which the lock is taken over.
 *
 * With `capabilities.conditionalWrites` every change is a compare-and-swap (`ifNoneMatch:
 * "*"` to create, `ifMatch: etag` to renew and take over), so of two lockers exactly one
 * wins. Without them (S3 on Swift) it writes, waits `settleMs`, and reads back: two lockers
 * writing within the same window may both believe they won. `mode` says which.
 */
export interface LeaseLock {
  readonly key: string;
  readonly owner: string;
  readonly mode: "conditional" | "best-effort";
  /** @throws {LockHeldError} when another owner holds a live lease and `wait` is off. */
  acquire(options?: AcquireOptions): Promise<Acquired>;
  /** Extends the lease by `leaseMs` from now. @throws {LockLostError} when it is no longer ours. */
  renew(): Promise<Date>;
  /** Removes the lock if it is still ours; never throws for a lock taken over meanwhile. */
  release(): Promise<void>;
  /** The current holder, or `null`. */
  read(): Promise<LeaseRecord | null>;
}

/** Another owner holds a live lease. */
export class LockHeldError extends Error {
  readonly key: string;
  readonly holder: LeaseRecord;

  constructor(key: string, holder: LeaseRecord, now: Date) {
    const seconds = Math.max(0, Math.ceil((Date.parse(holder.expiresAt) - now.getTime()) / 1000));
    super(
      `[streamgate] [sync] another sync holds the lock ${key}: owner ${JSON.stringify(holder.owner)} since ${holder.acquiredAt}, lease expires at ${holder.expiresAt} (in ${seconds} s) unless renewed; run again later or pass --wait`,
    );
    this.name = "LockHeldError";
    this.key = key;
    this.holder = holder;
  }
}

/** The lease was taken over (it expired while we did not renew it): stop writing. */
export class LockLostError extends Error {
  readonly key: string;

  constructor(key: string, detail: string) {
    super(`[streamgate] [sync] lost the lock ${key}: ${detail}`);
    this.name = "LockLostError";
    this.key = key;
  }
}

interface Current {
  record: LeaseRecord | null;
  info: ObjectInfo;
}

const decoder = new TextDecoder();

function parseRecord(text: string): LeaseRecord | null {
  try {
    const value = JSON.parse(text) as Partial<LeaseRecord>;
    if (
      typeof value.owner === "string" &&
      typeof value.acquiredAt === "string" &&
      typeof value.expiresAt === "string" &&
      !Number.isNaN(Date.parse(value.expiresAt))
    ) {
      return { owner: value.owner, acquiredAt: value.acquiredAt, expiresAt: value.expiresAt };
    }
  } catch {
    // A torn or foreign lock object: treated as expired below.
  }
  return null;
}

export function createLeaseLock(options: LeaseLockOptions): LeaseLock {
  const { store, key, owner, leaseMs } = options;
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) {
    throw new TypeError(`Expected \`leaseMs\` to be a number above 0, got ${leaseMs}`);
  }
  if (owner === "") throw new TypeError("Expected `owner` to be a non-empty string");
  const now = options.now ?? (() => new Date());
  const sleep = options.sleep ?? defaultSleep;
  const pollMs = options.pollMs ?? 1000;
  const settleMs = options.settleMs ?? 250;
  const conditional = store.capabilities.conditionalWrites;
  let etag: string | undefined;
  let acquiredAt: string | undefined;

  async function readCurrent(): Promise<Current | null> {
    const object = await store.get(key);
    if (object === null) return null;
    const text = decoder.decode(await new Response(object.body).arrayBuffer());
    return { record: parseRecord(text), info: object };
  }

  async function write(condition: { ifNoneMatch: "*" } | { ifMatch: string } | object) {
    const at = now();
    const record: LeaseRecord = {
      owner,
      acquiredAt: acquiredAt ?? at.toISOString(),
      expiresAt: new Date(at.getTime() + leaseMs).toISOString(),
    };
    const info = await store.put(key, `${JSON.stringify(record, null, 1)}\n`, {
      contentType: "application/json",
      ...(conditional ? condition : {}),
    });
    return { info, record };
  }

  /** Best effort only: did our write survive a concurrent one? */
  async function stillOurs(): Promise<boolean> {
    await sleep(settleMs);
    const current = await readCurrent();
    return current?.record?.owner === owner;
  }

  async function tryAcquire(): Promise<
    { won: true; acquired: Acquired } | { won: false; holder: LeaseRecord | null }
  > {
    const current = await readCurrent();
    const expired =
      current !== null &&
      (current.record === null || Date.parse(current.record.expiresAt) <= now().getTime());
    if (current !== null && !expired && current.record?.owner !== owner) {
      return { won: false, holder: current.record };
    }
    acquiredAt = undefined;
    let written: Awaited<ReturnType<typeof write>>;
    try {
      written = await write(
        current === null ? { ifNoneMatch: "*" } : { ifMatch: current.info.etag },
      );
    } catch (error) {
      if (error instanceof PreconditionFailedError) return { won: false, holder: null };
      throw error;
    }
    if (!conditional && !(await stillOurs())) return { won: false, holder: null };
    etag = written.info.etag;
    acquiredAt = written.record.acquiredAt;
    return {
      won: true,
      acquired: {
        tookOverFrom: expired && current?.record ? current.record : undefined,
        expiresAt: new Date(written.record.expiresAt),
      },
    };
  }

  return {
    key,
    owner,
    mode: conditional ? "conditional" : "best-effort",

    acquire: async function acquire(acquireOptions = {}) {
      const { wait = false, signal } = acquireOptions;
      for (;;) {
        signal?.throwIfAborted();
        const attempt = await tryAcquire();
        if (attempt.won) return attempt.acquired;
        // Lost a race to create or take over: look again at once, the winner is visible now.
        if (attempt.holder === null) continue;
        if (!wait) throw new LockHeldError(key, attempt.holder, now());
        const untilExpiry = Date.parse(attempt.holder.expiresAt) - now().getTime();
        await sleep(Math.max(1, Math.min(pollMs, untilExpiry + 1)), signal);
      }
    },

    renew: async function renew() {
      if (etag === undefined) throw new LockLostError(key, "it was never acquired");
      if (!conditional) {
        const current = await readCurrent();
        if (current?.record?.owner !== owner) {
          etag = undefined;
          throw new LockLostError(key, `now held by ${JSON.stringify(current?.record?.owner)}`);
        }
      }
      try {
        const written = await write({ ifMatch: etag });
        etag = written.info.etag;
        return new Date(written.record.expiresAt);
      } catch (error) {
        if (!(error instanceof PreconditionFailedError)) throw error;
        etag = undefined;
        const holder = (await readCurrent())?.record?.owner;
        throw new LockLostError(
          key,
          `the lease expired and ${holder === undefined ? "the lock was removed" : `${JSON.stringify(holder)} took it over`}`,
        );
      }
    },

    release: async function release() {
      if (etag === undefined) return;
      etag = undefined;
      acquiredAt = undefined;
      const current = await readCurrent();
      if (current?.record?.owner === owner) await store.delete([key]);
    },

    read: async function read() {
      return (await readCurrent())?.record ?? null;
    },
  };
}
