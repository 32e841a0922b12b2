import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/memory.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
import { runAgentsSync } from "../../src/sync/index.ts";
import type { Upstream } from "../../src/upstream/index.ts";
import { servedTreeProblems } from "./check-served.ts";
import { dyingStore } from "./recording-store.ts";
import { agentsConfig, createWorld, fileUpstream, type SyncWorld, snapshot } from "./support.ts";

let world: SyncWorld;
let upstream: Upstream;

beforeAll(async () => {
  world = await createWorld();
  upstream = fileUpstream(world.fixture);
});

afterAll(async () => {
  await world?.cleanup();
});

const FILTERED = { minVersion: "3.5", arches: ["amd64", "arm64"] };
const SCENARIOS = [
  {
    name: "a filtered tree narrowed and widened",
    before: FILTERED,
    after: { minVersion: "3.6", arches: ["amd64", "s390x"] },
    mirrored: [] as string[],
  },
  {
    name: "an exact tree of two streams replaced by a filtered one",
    before: { mode: "exact", streams: ["released", "proposed"] },
    after: FILTERED,
    mirrored: ["com.ubuntu.juju:released:agents", "com.ubuntu.juju:proposed:agents"],
  },
  {
    name: "a filtered tree replaced by an exact one",
    before: FILTERED,
    after: { mode: "exact", streams: ["released"] },
    mirrored: ["com.ubuntu.juju:released:agents"],
  },
];

describe("a sync killed at any write", () => {
  it.each(SCENARIOS)(
    "leaves a valid served tree, and the next run completes: $name",
    async (scenario) => {
      let time = Date.parse("2026-11-23T10:00:00Z");
      const now = () => new Date(time);
      const sync = (store: ObjectStore, block: Record<string, unknown>) =>
        runAgentsSync({ store, upstream, config: agentsConfig({ ...block, lockLease: 60 }), now });
      const mayBeAbsent = (contentId: string) => !scenario.mirrored.includes(contentId);

      const clean = createMemoryStore();
      await sync(clean, scenario.before);
      await sync(clean, scenario.after);
      const expected = await snapshot(clean);

      let completed = false;
      let crashes = 0;
      for (let writes = 0; !completed && writes < 200; writes++) {
        const store = createMemoryStore();
        await sync(store, scenario.before);
        try {
          await sync(dyingStore(store, writes), scenario.after);
          completed = true;
        } catch {
          crashes++;
        }
        const problems = await servedTreeProblems(store, mayBeAbsent);
        expect(problems, `killed after ${writes} writes`).toEqual([]);
        if (completed) {
          expect(await snapshot(store)).toEqual(expected);
          continue;
        }
        // The killed run's lease runs out; the next run takes the lock over and finishes.
        time += 61_000;
        const recovered = await sync(store, scenario.after);
        expect(["published", "unchanged"]).toContain(recovered.outcome);
        expect(await servedTreeProblems(store, mayBeAbsent)).toEqual([]);
        expect(await snapshot(store), `recovered after a kill at write ${writes}`).toEqual(
          expected,
        );
      }
      expect(completed).toBe(true);
      expect(crashes).toBeGreaterThan(5);
    },
  );
});
