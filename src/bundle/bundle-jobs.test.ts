import { describe, expect, it } from "vitest";
import { readJobState } from "../scheduler/job-state-store.ts";
import { createMemoryStore } from "../store/memory.ts";
import { applyBundleJobs, mergeJobState, readBundleJobs } from "./bundle-jobs.ts";
import { putJobState } from "./test-support.ts";

const run = {
  startedAt: new Date("2026-11-24T10:00:00Z"),
  finishedAt: new Date("2026-11-24T10:00:05Z"),
  counts: { bundled: 3, written: 2, unchanged: 1 },
  bytes: 1234,
};

describe("readBundleJobs", () => {
  it("reads each job's generations and the settings of its current report", async () => {
    const store = createMemoryStore();
    await putJobState(store, {
      job: "agents",
      generation: 2,
      generations: { "1": "t1", "2": "t2" },
    });
    await store.put(
      ".streamgate/reports/agents/2.json",
      JSON.stringify({ mode: "exact", filters: { streams: ["released"] }, plan: [1, 2, 3] }),
    );
    expect(await readBundleJobs(store)).toEqual({
      agents: {
        generation: 2,
        generations: { "1": "t1", "2": "t2" },
        settings: { mode: "exact", filters: { streams: ["released"] } },
      },
    });
  });

  it("ignores a report that is not JSON", async () => {
    const store = createMemoryStore();
    await putJobState(store, { job: "images", generation: 1, generations: { "1": "t1" } });
    await store.put(".streamgate/reports/images/1.json", "{ broken");
    expect(await readBundleJobs(store)).toEqual({
      images: { generation: 1, generations: { "1": "t1" } },
    });
  });
});

describe("mergeJobState", () => {
  it("adds the bundle's generations to the local ones and records the import as the last run", () => {
    const merged = mergeJobState(
      { job: "agents", generation: 1, generations: { "1": "local-1" } },
      { generation: 3, generations: { "2": "t2", "3": "t3" } },
      run,
    );
    expect(merged).toMatchObject({
      job: "agents",
      generation: 3,
      generations: { "1": "local-1", "2": "t2", "3": "t3" },
      lastRun: { outcome: "ok", generation: 3, durationMs: 5000, bytes: 1234, counts: run.counts },
    });
    expect(merged.lastSuccess).toEqual(merged.lastRun);
  });

  it("never moves the current generation backwards", () => {
    const merged = mergeJobState(
      { job: "images", generation: 9, generations: { "9": "local-9" } },
      { generation: 4, generations: { "4": "t4" } },
      run,
    );
    expect(merged.generation).toBe(9);
    expect(merged.generations).toEqual({ "4": "t4", "9": "local-9" });
  });
});

describe("applyBundleJobs", () => {
  it("writes only the jobs the bundle carries", async () => {
    const store = createMemoryStore();
    const written = await applyBundleJobs(
      store,
      { agents: { generation: 2, generations: { "2": "t2" } } },
      run,
    );
    expect(written).toEqual(["agents"]);
    expect((await readJobState(store, "agents"))?.generations).toEqual({ "2": "t2" });
    expect(await readJobState(store, "images")).toBeNull();
  });
});
