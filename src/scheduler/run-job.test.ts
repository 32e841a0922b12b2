import { describe, expect, it } from "vitest";
import { StoreError } from "../store/errors.ts";
import { createMemoryStore } from "../store/memory.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { Job, JobResult } from "./job.ts";
import { jobReportKey } from "./job-state.ts";
import { readJobState } from "./job-state-store.ts";
import { runJob } from "./run-job.ts";

function testJob(run: () => Promise<JobResult>): Job {
  return { name: "agents", cron: "* * * * *", runOnStart: false, run };
}

describe("runJob", () => {
  it("bumps the generation and records the run when the job publishes", async () => {
    const store = createMemoryStore();
    const job = testJob(async () => ({ published: true, counts: { copied: 3 }, bytes: 42 }));
    await runJob(job, { store });
    const run = await runJob(job, { store });
    const state = await readJobState(store, "agents");
    expect(run.outcome).toBe("ok");
    expect(state?.generation).toBe(2);
    expect(Object.keys(state?.generations ?? {})).toEqual(["1", "2"]);
    expect(state?.lastRun).toMatchObject({
      outcome: "ok",
      counts: { copied: 3 },
      bytes: 42,
      generation: 2,
    });
    expect(state?.lastSuccess).toEqual(state?.lastRun);
  });

  it("keeps the generation when the job changes nothing", async () => {
    const store = createMemoryStore();
    await runJob(
      testJob(async () => ({ published: true })),
      { store },
    );
    await runJob(
      testJob(async () => ({ published: false })),
      { store },
    );
    expect((await readJobState(store, "agents"))?.generation).toBe(1);
  });

  it("records a failure with its message and keeps the last success", async () => {
    const store = createMemoryStore();
    await runJob(
      testJob(async () => ({ published: true })),
      { store },
    );
    const logged: string[] = [];
    const run = await runJob(
      testJob(async () => {
        throw new Error("upstream unreachable");
      }),
      { store, log: (line) => logged.push(line) },
    );
    const state = await readJobState(store, "agents");
    expect(run.outcome).toBe("failed");
    expect(state?.lastRun?.errors).toEqual(["upstream unreachable"]);
    expect(state?.lastSuccess?.outcome).toBe("ok");
    expect(state?.generation).toBe(1);
    expect(logged.join("\n")).toContain("upstream unreachable");
  });

  it("shows the run as running while the job works", async () => {
    const store = createMemoryStore();
    let seen: string | undefined;
    await runJob(
      testJob(async () => {
        seen = (await readJobState(store, "agents"))?.lastRun?.outcome;
        return { published: false };
      }),
      { store },
    );
    expect(seen).toBe("running");
  });

  it("tells the observer how every run ended", async () => {
    const store = createMemoryStore();
    const outcomes: string[] = [];
    const onFinished = (_job: Job, run: { outcome: string }) => outcomes.push(run.outcome);
    await runJob(
      testJob(async () => ({ published: false })),
      { store, onFinished },
    );
    await runJob(
      testJob(async () => {
        throw new Error("x");
      }),
      { store, onFinished },
    );
    expect(outcomes).toEqual(["ok", "failed"]);
  });

  it("stores the report of a publishing run under the generation it assigned", async () => {
    const store = createMemoryStore();
    await runJob(
      testJob(async () => ({ published: true, report: { copied: 1 } })),
      { store },
    );
    await runJob(
      testJob(async () => ({ published: false, report: { copied: 0 } })),
      { store },
    );
    await runJob(
      testJob(async () => ({ published: true, report: { copied: 2 } })),
      { store },
    );
    const read = async (key: string) => {
      const object = await store.get(key);
      return object === null ? null : JSON.parse(await new Response(object.body).text());
    };
    expect(await read(jobReportKey("agents", 1))).toEqual({ copied: 1, generation: 1 });
    expect(await read(jobReportKey("agents", 2))).toEqual({ copied: 2, generation: 2 });
    expect(await read(jobReportKey("agents", 3))).toBeNull();
  });

  it("returns the job's failure, not the store's, when the store went down mid-run", async () => {
    const memory = createMemoryStore();
    let down = false;
    const unavailable = (operation: string) => {
      if (down) throw new StoreError("socket hang up", { store: "s3", operation });
    };
    const store: ObjectStore = {
      ...memory,
      get: async (key, options) => {
        unavailable("GetObject");
        return memory.get(key, options);
      },
      put: async (key, body, options) => {
        unavailable("PutObject");
        return memory.put(key, body, options);
      },
    };
    const finished: string[] = [];
    const logged: string[] = [];
    const run = await runJob(
      testJob(async () => {
        down = true;
        throw new Error("PutObject failed for the tarball");
      }),
      {
        store,
        log: (line) => logged.push(line),
        onFinished: (_job, done) => finished.push(done.outcome),
      },
    );
    expect(run.outcome).toBe("failed");
    expect(run.errors[0]).toBe("PutObject failed for the tarball");
    expect(run.errors[1]).toMatch(/^the failed run was not recorded: .*socket hang up/);
    expect(finished).toEqual(["failed"]);
    expect(logged.join("\n")).toContain("not recorded");
    down = false;
    expect((await readJobState(store, "agents"))?.lastRun?.outcome).toBe("running");
  });
});
