import { afterEach, describe, expect, it, vi } from "vitest";
import { createMemoryStore } from "../store/memory.ts";
import type { Job } from "./job.ts";
import { jobsForCron } from "./jobs-for-cron.ts";
import { createScheduler } from "./scheduler.ts";

function deferred() {
  let release!: () => void;
  const promise = new Promise<void>((resolve) => {
    release = resolve;
  });
  return { promise, release };
}

afterEach(() => {
  vi.useRealTimers();
});

describe("createScheduler", () => {
  it("runs runOnStart jobs at start and not the others", async () => {
    const runs: string[] = [];
    const scheduler = createScheduler({
      store: createMemoryStore(),
      jobs: [
        {
          name: "agents",
          cron: "0 0 1 1 *",
          runOnStart: true,
          run: async () => {
            runs.push("agents");
            return { published: false };
          },
        },
        {
          name: "images",
          cron: "0 0 1 1 *",
          runOnStart: false,
          run: async () => {
            runs.push("images");
            return { published: false };
          },
        },
      ],
    });
    scheduler.start();
    await scheduler.idle();
    await scheduler.stop();
    expect(runs).toEqual(["agents"]);
  });

  it("never starts a second run of a job that is still running", async () => {
    const gate = deferred();
    let runs = 0;
    const job: Job = {
      name: "agents",
      cron: "0 0 1 1 *",
      runOnStart: false,
      run: async () => {
        runs += 1;
        await gate.promise;
        return { published: false };
      },
    };
    const scheduler = createScheduler({ store: createMemoryStore(), jobs: [job] });
    expect(scheduler.trigger("agents").started).toBe(true);
    const second = scheduler.trigger("agents");
    expect(second).toEqual({ started: false, message: "job agents is already running" });
    expect(scheduler.isRunning("agents")).toBe(true);
    gate.release();
    await scheduler.idle();
    expect(scheduler.isRunning("agents")).toBe(false);
    expect(scheduler.trigger("agents").started).toBe(true);
    await scheduler.idle();
    expect(runs).toBe(2);
  });

  it("does not start a job once stopping has begun", async () => {
    let runs = 0;
    const scheduler = createScheduler({
      store: createMemoryStore(),
      jobs: [
        {
          name: "agents",
          cron: "0 0 1 1 *",
          runOnStart: true,
          run: async () => {
            runs++;
            return { published: false };
          },
        },
      ],
    });
    scheduler.start();
    await scheduler.stop();
    expect(runs).toBe(0);
  });

  it("refuses to trigger a job that is not configured", () => {
    const scheduler = createScheduler({ store: createMemoryStore(), jobs: [] });
    expect(scheduler.trigger("images")).toEqual({
      started: false,
      message: "job images is not configured",
    });
  });

  it("runs a job on every tick of its cron", async () => {
    vi.useFakeTimers({ now: new Date("2026-11-23T10:00:00Z") });
    let runs = 0;
    const scheduler = createScheduler({
      store: createMemoryStore(),
      jobs: [
        {
          name: "agents",
          cron: "*/5 * * * *",
          runOnStart: false,
          run: async () => {
            runs++;
            return { published: false };
          },
        },
      ],
    });
    scheduler.start();
    // One tick at a time: a run still busy with its store writes would skip the next tick.
    for (let minute = 0; minute < 16; minute += 4) {
      await vi.advanceTimersByTimeAsync(4 * 60 * 1000);
      await scheduler.idle();
    }
    await scheduler.stop();
    expect(runs).toBe(3);
  });

  it("aborts running jobs on stop", async () => {
    let aborted = false;
    const started = deferred();
    const scheduler = createScheduler({
      store: createMemoryStore(),
      jobs: [
        {
          name: "agents",
          cron: "0 0 1 1 *",
          runOnStart: true,
          run: ({ signal }) =>
            new Promise((resolve) => {
              signal.addEventListener("abort", () => {
                aborted = true;
                resolve({ published: false });
              });
              started.release();
            }),
        },
      ],
    });
    scheduler.start();
    await started.promise;
    await scheduler.stop();
    expect(aborted).toBe(true);
  });
});

describe("jobsForCron", () => {
  it("selects the jobs whose cron is the trigger that fired", () => {
    const job = (name: "agents" | "images", cron: string): Job => ({
      name,
      cron,
      runOnStart: false,
      run: async () => ({ published: false }),
    });
    const jobs = [job("agents", "17 */6 * * *"), job("images", "*/30 * * * *")];
    expect(jobsForCron(jobs, "*/30 * * * *").map((j) => j.name)).toEqual(["images"]);
    expect(jobsForCron(jobs, "0 * * * *")).toEqual([]);
  });
});
