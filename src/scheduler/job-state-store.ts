import type { ObjectStore } from "../store/object-store.ts";
import { type JobName, type JobState, jobStateKey } from "./job-state.ts";

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
