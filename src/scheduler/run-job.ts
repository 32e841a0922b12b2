import type { ObjectStore } from "../store/object-store.ts";
import type { Job } from "./job.ts";
import type { JobRun, JobState } from "./job-state.ts";
import { emptyJobState, readJobState, writeJobReport, writeJobState } from "./job-state-store.ts";

export interface RunJobOptions {
  store: ObjectStore;
  signal?: AbortSignal;
  log?: (message: string) => void;
  now?: () => Date;
  /** Told about every finished run (metrics). */
  onFinished?: (job: Job, run: JobRun) => void;
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Runs a job once and records the run in its state: `running` first (so `/status` shows
 * it), then `ok` or `failed`. A failed run never changes the generation. Never throws for
 * a job failure: the failure is the run's outcome, even when the store cannot record it.
 */
export async function runJob(job: Job, options: RunJobOptions): Promise<JobRun> {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? (() => {});
  const started = now();
  const previous = (await readJobState(options.store, job.name)) ?? emptyJobState(job.name);
  const running: JobRun = {
    startedAt: started.toISOString(),
    outcome: "running",
    counts: {},
    bytes: 0,
    errors: [],
  };
  await writeJobState(options.store, { ...previous, lastRun: running });

  let run: JobRun;
  let state: JobState;
  try {
    // A shutdown that began while the state was being written: do not start the work.
    options.signal?.throwIfAborted();
    const result = await job.run({
      store: options.store,
      signal: options.signal ?? new AbortController().signal,
      log,
    });
    const finished = now();
    // Re-read: the job itself may have recorded things (reports) while running.
    const current = (await readJobState(options.store, job.name)) ?? previous;
    const generation = result.published ? current.generation + 1 : current.generation;
    const warnings = [...(result.warnings ?? [])];
    // Before the state names the generation, so /status never points at a missing report.
    // The tree is already published by now: a lost report is a warning, not a failed run.
    if (result.published && result.report !== undefined) {
      await writeJobReport(options.store, job.name, generation, result.report).catch(
        (error: unknown) => warnings.push(`report not stored: ${errorMessage(error)}`),
      );
    }
    run = {
      ...running,
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      outcome: "ok",
      counts: result.counts ?? {},
      bytes: result.bytes ?? 0,
      errors: warnings,
      ...(result.published ? { generation } : {}),
    };
    state = {
      ...current,
      generation,
      generations: result.published
        ? { ...current.generations, [generation]: run.finishedAt as string }
        : current.generations,
      lastRun: run,
      lastSuccess: run,
    };
  } catch (error) {
    const finished = now();
    run = {
      ...running,
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      outcome: "failed",
      errors: [errorMessage(error)],
    };
    log(`[streamgate] job ${job.name} failed: ${errorMessage(error)}`);
    // The store may be what failed (S3 down mid-run): recording the failure is then best
    // effort, so the caller still gets the job's own error rather than the store's.
    try {
      state = { ...((await readJobState(options.store, job.name)) ?? previous), lastRun: run };
      await writeJobState(options.store, state);
    } catch (recordError) {
      run.errors.push(`the failed run was not recorded: ${errorMessage(recordError)}`);
      log(`[streamgate] job ${job.name}: ${run.errors.at(-1)}`);
    }
    options.onFinished?.(job, run);
    return run;
  }
  await writeJobState(options.store, state);
  options.onFinished?.(job, run);
  return run;
}
