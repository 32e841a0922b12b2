/**
 * @module
 * Jobs, their recorded state, and the schedulers that run them (croner on Node,
 * cron triggers on Workers).
 */
export type { Job, JobContext, JobResult } from "./job.ts";
export type { JobName, JobRun, JobState, RunOutcome } from "./job-state.ts";
export { jobReportKey, jobStateKey, REPORTS_PREFIX, STATE_PREFIX } from "./job-state.ts";
export {
  emptyJobState,
  readJobState,
  writeJobReport,
  writeJobState,
} from "./job-state-store.ts";
export { jobsForCron } from "./jobs-for-cron.ts";
export { type RunJobOptions, runJob } from "./run-job.ts";
export {
  createScheduler,
  type Scheduler,
  type SchedulerOptions,
  type TriggerResult,
} from "./scheduler.ts";
