import type { ObjectStore } from "../store/object-store.ts";
import { type JobName, type JobState, jobReportKey, jobStateKey } from "./job-state.ts";

export function emptyJobState(job: JobName): JobState {
  return { job, generation: 0, generations: {} };
}

/** The job's recorded state, or `null` when it never ran against this store. */
export async function readJobState(store: ObjectStore, job: JobName): Promise<JobState | null> {
  const object = await store.get(jobStateKey(job));
  if (object === null) return null;
  return JSON.parse(await new Response(object.body).text()) as JobState;
}

export async function writeJobState(store: ObjectStore, state: JobState): Promise<void> {
  await store.put(jobStateKey(state.job), `${JSON.stringify(state, null, 1)}\n`, {
    contentType: "application/json",
  });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return false;
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
}

/** Stores the report of the run that published `generation`; a plain object gets its `generation`. */
export async function writeJobReport(
  store: ObjectStore,
  job: JobName,
  generation: number,
  report: unknown,
): Promise<void> {
  const document = isPlainObject(report) ? { ...report, generation } : report;
  await store.put(jobReportKey(job, generation), `${JSON.stringify(document, null, 1)}\n`, {
    contentType: "application/json",
  });
}
