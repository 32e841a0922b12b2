import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createFsStore } from "../store/fs.ts";
import { createMemoryStore } from "../store/memory.ts";
import type { ObjectStore } from "../store/object-store.ts";
import {
  createLeaseLock,
  type LeaseLockOptions,
  LockHeldError,
  LockLostError,
} from "./lease-lock.ts";

const KEY = ".streamgate/lock/agents";
const LEASE_MS = 60_000;

/** A clock that only moves when a test (or an injected sleep) moves it. */
function fakeClock(start = Date.parse("2026-11-23T10:00:00Z")) {
  let time = start;
  return {
    now: () => new Date(time),
    advance(ms: number) {
      time += ms;
    },
  };
}

function lockFor(
  store: ObjectStore,
  owner: string,
  clock: ReturnType<typeof fakeClock>,
  extra: Partial<LeaseLockOptions> = {},
) {
  return createLeaseLock({
    store,
    key: KEY,
    owner,
    leaseMs: LEASE_MS,
    now: clock.now,
    sleep: async (ms) => clock.advance(ms),
    ...extra,
  });
}

const cleanups: string[] = [];
afterEach(async () => {
  for (const dir of cleanups.splice(0)) await rm(dir, { recursive: true, force: true });
});

describe("createLeaseLock", () => {
  it("lets exactly one of two concurrent lockers win on a store with conditional writes", async () => {
    const store = createMemoryStore();
    const clock = fakeClock();
    const results = await Promise.allSettled([
      lockFor(store, "a", clock).acquire(),
      lockFor(store, "b", clock).acquire(),
    ]);
    const won = results.filter((result) => result.status === "fulfilled");
    const lost = results.filter((result) => result.status === "rejected");
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(1);
    expect((lost[0] as PromiseRejectedResult).reason).toBeInstanceOf(LockHeldError);
    const holder = await lockFor(store, "c", clock).read();
    expect(["a", "b"]).toContain(holder?.owner);
  });

  it("lets exactly one of many concurrent lockers win on the fs store", async () => {
    const root = await mkdtemp(join(tmpdir(), "streamgate-lock-"));
    cleanups.push(root);
    const clock = fakeClock();
    const lockers = ["a", "b", "c", "d", "e"].map((owner) =>
      // One store object per locker, like separate processes.
      lockFor(createFsStore({ root }), owner, clock),
    );
    const results = await Promise.allSettled(lockers.map((lock) => lock.acquire()));
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    for (const result of results) {
      if (result.status === "rejected") expect(result.reason).toBeInstanceOf(LockHeldError);
    }
  });

  it("names the holder and the expiry when the lock is held", async () => {
    const store = createMemoryStore();
    const clock = fakeClock();
    await lockFor(store, "cli@host-1 pid 42", clock).acquire();
    clock.advance(15_000);
    const error = await lockFor(store, "other", clock)
      .acquire()
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(LockHeldError);
    expect((error as Error).message).toContain('owner "cli@host-1 pid 42"');
    expect((error as Error).message).toContain("expires at 2026-11-23T10:01:00.000Z (in 45 s)");
    expect((error as LockHeldError).holder.owner).toBe("cli@host-1 pid 42");
  });

  it("takes over an expired lease, and the old holder then learns it lost the lock", async () => {
    const store = createMemoryStore();
    const clock = fakeClock();
    const first = lockFor(store, "killed", clock);
    await first.acquire();
    clock.advance(LEASE_MS + 1);
    const second = lockFor(store, "next", clock);
    const acquired = await second.acquire();
    expect(acquired.tookOverFrom?.owner).toBe("killed");
    expect((await second.read())?.owner).toBe("next");
    await expect(first.renew()).rejects.toBeInstanceOf(LockLostError);
    // The old holder's release must not remove the new holder's lock.
    await first.release();
    expect((await second.read())?.owner).toBe("next");
  });

  it("does not take over a lease that is renewed in time", async () => {
    const store = createMemoryStore();
    const clock = fakeClock();
    const holder = lockFor(store, "holder", clock);
    await holder.acquire();
    clock.advance(LEASE_MS - 1000);
    const expires = await holder.renew();
    expect(expires.toISOString()).toBe(new Date(clock.now().getTime() + LEASE_MS).toISOString());
    clock.advance(2000);
    await expect(lockFor(store, "other", clock).acquire()).rejects.toBeInstanceOf(LockHeldError);
  });

  it("removes the lock on release so the next locker gets it at once", async () => {
    const store = createMemoryStore();
    const clock = fakeClock();
    const first = lockFor(store, "first", clock);
    await first.acquire();
    await first.release();
    expect(await store.head(KEY)).toBeNull();
    const acquired = await lockFor(store, "second", clock).acquire();
    expect(acquired.tookOverFrom).toBeUndefined();
  });

  it("waits for the holder to release with `wait`", async () => {
    const store = createMemoryStore();
    const clock = fakeClock();
    const first = lockFor(store, "first", clock);
    await first.acquire();
    let sleeps = 0;
    const second = lockFor(store, "second", clock, {
      sleep: async (ms) => {
        sleeps++;
        clock.advance(Math.min(ms, 100));
        if (sleeps === 3) await first.release();
      },
    });
    const acquired = await second.acquire({ wait: true });
    expect(sleeps).toBe(3);
    expect(acquired.tookOverFrom).toBeUndefined();
    expect((await second.read())?.owner).toBe("second");
  });

  it("waits for an abandoned lease to expire with `wait`, then takes it over", async () => {
    const store = createMemoryStore();
    const clock = fakeClock();
    await lockFor(store, "killed", clock).acquire();
    const acquired = await lockFor(store, "waiting", clock, { pollMs: 10_000 }).acquire({
      wait: true,
    });
    expect(acquired.tookOverFrom?.owner).toBe("killed");
  });

  it("stops waiting when the signal aborts", async () => {
    const store = createMemoryStore();
    const clock = fakeClock();
    await lockFor(store, "holder", clock).acquire();
    const controller = new AbortController();
    const waiting = lockFor(store, "waiting", clock, {
      sleep: async () => controller.abort(new Error("shutting down")),
    }).acquire({ wait: true, signal: controller.signal });
    await expect(waiting).rejects.toThrow("shutting down");
  });

  it("treats an unreadable lock object as expired", async () => {
    const store = createMemoryStore();
    const clock = fakeClock();
    await store.put(KEY, "{not json");
    const acquired = await lockFor(store, "repairer", clock).acquire();
    expect(acquired.tookOverFrom).toBeUndefined();
    expect((await lockFor(store, "x", clock).read())?.owner).toBe("repairer");
  });

  it("degrades to write-then-read-back without conditional writes", async () => {
    const store = createMemoryStore({ conditionalWrites: false });
    const clock = fakeClock();
    // Both lockers read "no lock", both write; the read-back after the settle delay sees
    // the last write, so its writer wins and the other backs off.
    let puts = 0;
    let bothWritten: () => void = () => {};
    const written = new Promise<void>((resolve) => {
      bothWritten = resolve;
    });
    const counting: ObjectStore = {
      ...store,
      put: async (...args) => {
        const info = await store.put(...args);
        if (++puts === 2) bothWritten();
        return info;
      },
    };
    const settle = { sleep: () => written };
    const a = lockFor(counting, "a", clock, settle);
    expect(a.mode).toBe("best-effort");
    const results = await Promise.allSettled([
      a.acquire(),
      lockFor(counting, "b", clock, settle).acquire(),
    ]);
    expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
    const rejected = results.find((result) => result.status === "rejected");
    expect((rejected as PromiseRejectedResult).reason).toBeInstanceOf(LockHeldError);
    const winner = (await a.read())?.owner;
    const loser = winner === "a" ? lockFor(counting, "b", clock) : a;
    await expect(loser.renew()).rejects.toBeInstanceOf(LockLostError);
  });
});
