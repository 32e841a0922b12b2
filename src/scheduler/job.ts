import type { ObjectStore } from "../store/object-store.ts";
import type { JobName } from "./job-state.ts";

/** What a job may use while it runs. */
export interface JobContext {
  store: ObjectStore;
  /** Aborted when the process shuts down or a Worker's time budget runs out. */
  signal: AbortSignal;
  log: (message: string) => void;
}

/** What a finished run reports; the runner turns it into the job's state. */
export interface JobResult {
  counts?: Record<string, number>;
  bytes?: number;
  /** The run published a new tree: the job's generation grows by one. */
  published: boolean;
  /** Problems that did not fail the run (a region that kept its previous ids…). */
  warnings?: string[];
  /**
   * The run's machine-readable report. When the run publishes, the runner stores it at
   * `.streamgate/reports/<job>/<generation>.json` (a plain object gets a `generation` field).
   */
  report?: unknown;
}

/** A unit of scheduled work: the agents mirror, the image-ids generator, or a test job. */
export interface Job {
  name: JobName;
  /** Cron pattern; on Workers it must also be listed in wrangler.toml `[triggers] crons`. */
  cron: string;
  runOnStart: boolean;
  run(context: JobContext): Promise<JobResult>;
}
