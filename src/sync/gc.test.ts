import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../store/memory.ts";
import {
  collectGarbage,
  emptyGcState,
  planCollection,
  readGcState,
  scheduleDeletions,
  writeGcState,
} from "./gc.ts";
import { AGENTS_GC_KEY } from "./layout.ts";

const T0 = new Date("2026-11-23T10:00:00Z");
const later = (minutes: number) => new Date(T0.getTime() + minutes * 60_000);

describe("scheduleDeletions", () => {
  it("adds keys with their not-before time and keeps the earlier time of a key already pending", () => {
    const first = scheduleDeletions(emptyGcState(), ["a", "b"], later(60));
    const second = scheduleDeletions(first.state, ["b", "c"], later(120));
    expect(second.added).toEqual(["c"]);
    expect(second.state.pending).toEqual({
      a: later(60).toISOString(),
      b: later(60).toISOString(),
      c: later(120).toISOString(),
    });
  });
});

describe("planCollection", () => {
  const state = {
    pending: {
      due: later(0).toISOString(),
      young: later(30).toISOString(),
      needed: later(0).toISOString(),
    },
  };

  it("deletes only what is past its grace period and named by nothing live", () => {
    const plan = planCollection(state, later(10), new Set(["needed"]));
    expect(plan.due).toEqual(["due"]);
    expect(plan.rescued).toEqual(["needed"]);
    expect(plan.state.pending).toEqual({ young: later(30).toISOString() });
  });

  it("deletes nothing before any grace period ends", () => {
    expect(planCollection(state, later(-1), new Set()).due).toEqual([]);
  });
});

describe("collectGarbage", () => {
  it("deletes due objects, keeps the rest pending, and removes the state when empty", async () => {
    const store = createMemoryStore();
    for (const key of ["juju/tools/a.tgz", "juju/tools/b.tgz", "juju/tools/c.tgz"]) {
      await store.put(key, key);
    }
    const scheduled = scheduleDeletions(
      emptyGcState(),
      ["juju/tools/a.tgz", "juju/tools/b.tgz"],
      later(60),
    );
    await writeGcState(store, scheduled.state);
    const first = await collectGarbage(store, await readGcState(store), later(30), new Set());
    expect(first.deleted).toEqual([]);
    const second = await collectGarbage(
      store,
      await readGcState(store),
      later(61),
      new Set(["juju/tools/b.tgz"]),
    );
    expect(second.deleted).toEqual(["juju/tools/a.tgz"]);
    expect(await store.head("juju/tools/a.tgz")).toBeNull();
    expect(await store.head("juju/tools/b.tgz")).not.toBeNull();
    expect(await store.head("juju/tools/c.tgz")).not.toBeNull();
    expect(await store.head(AGENTS_GC_KEY)).toBeNull();
  });

  it("reads a torn state file as empty rather than failing the run", async () => {
    const store = createMemoryStore();
    await store.put(AGENTS_GC_KEY, "{ torn");
    expect(await readGcState(store)).toEqual(emptyGcState());
    await store.put(
      AGENTS_GC_KEY,
      JSON.stringify({ pending: { a: "not a date", b: T0.toISOString() } }),
    );
    expect(await readGcState(store)).toEqual({ pending: { b: T0.toISOString() } });
  });
});
