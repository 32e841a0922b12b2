import { Cron } from "croner";
import type { Job } from "./job.ts";
import type { JobName, JobRun } from "./job-state.ts";
import { type RunJobOptions, runJob } from "./run-job.ts";

export interface SchedulerOptions extends Omit<RunJobOptions, "signal"> {
  jobs: readonly Job[];
}

export interface TriggerResult {
  started: boolean;
  message: string;
}

export interface Scheduler {
  /** Arms every job's cron and starts the `runOnStart` ones. */
  start(): void;
  /** Starts a job now unless it is already running (`/admin/sync`). */
  trigger(job: JobName): TriggerResult;
  /** Disarms the crons, aborts running jobs and waits for them to settle. */
  stop(): Promise<void>;
  /** Settles when every run started so far has finished (tests, shutdown). */
  idle(): Promise<void>;
  isRunning(job: JobName): boolean;
}

/**
 * The Node scheduler: each configured job on its cron, never two runs of one job at once
 * in this process (a run that would overlap is skipped, not queued — the next tick
 * catches up). Across processes the store lock keeps syncs apart.
 */
export function createScheduler(options: SchedulerOptions): Scheduler {
  const { jobs, ...runOptions } = options;
  const running = new Map<JobName, Promise<JobRun | undefined>>();
  const crons: Cron[] = [];
  const shutdown = new AbortController();
  const log = runOptions.log ?? (() => {});

  function launch(job: Job): TriggerResult {
    if (running.has(job.name)) {
      return { started: false, message: `job ${job.name} is already running` };
    }
    const run = runJob(job, { ...runOptions, signal: shutdown.signal })
      .catch((error: unknown) => {
        log(`[streamgate] job ${job.name} could not record its run: ${String(error)}`);
        return undefined;
      })
      .finally(() => running.delete(job.name));
    running.set(job.name, run);
    return { started: true, message: `job ${job.name} started` };
  }

  return {
    start() {
      for (const job of jobs) {
        crons.push(new Cron(job.cron, { name: job.name, protect: true }, () => void launch(job)));
        if (job.runOnStart) launch(job);
      }
    },
    trigger(name) {
      const job = jobs.find((candidate) => candidate.name === name);
      if (job === undefined) return { started: false, message: `job ${name} is not configured` };
      return launch(job);
    },
    async stop() {
      for (const cron of crons.splice(0)) cron.stop();
      shutdown.abort(new Error("streamgate is shutting down"));
      await this.idle();
    },
    async idle() {
      await Promise.all(running.values());
    },
    isRunning(name) {
      return running.has(name);
    },
  };
}
