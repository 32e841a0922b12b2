/**
 * What each job (agents, images) records about its runs in the store, at
 * `.streamgate/state/<job>.json`. `/status`, the browse page and `bundle export --since`
 * read it; only the job runner writes it.
 */

export type JobName = "agents" | "images";

export type RunOutcome = "running" | "ok" | "failed";

export interface JobRun {
  startedAt: string;
  finishedAt?: string;
  outcome: RunOutcome;
  durationMs?: number;
  /** Named counts of what the run did: files copied, skipped, deleted, images mapped… */
  counts: Record<string, number>;
  bytes: number;
  errors: string[];
  /** Generation this run published, when it published one. */
  generation?: number;
}

export interface JobState {
  job: JobName;
  /** Grows by one with every publish of this job; 0 before the first. */
  generation: number;
  /** When each generation was published: `{ "3": "2026-11-23T18:00:00.000Z" }`. */
  generations: Record<string, string>;
  lastRun?: JobRun;
  lastSuccess?: JobRun;
}

export const STATE_PREFIX = ".streamgate/state/";

export function jobStateKey(job: JobName): string {
  return `${STATE_PREFIX}${job}.json`;
}

export const REPORTS_PREFIX = ".streamgate/reports/";

/** Where the report of the run that published `generation` is kept (DESIGN.md §4). */
export function jobReportKey(job: JobName, generation: number): string {
  return `${REPORTS_PREFIX}${job}/${generation}.json`;
}
