import { type JobName, type JobRun, type JobState, jobReportKey } from "../scheduler/job-state.ts";
import { emptyJobState, readJobState, writeJobState } from "../scheduler/job-state-store.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { BundleJob } from "./manifest.ts";

export const JOB_NAMES = ["agents", "images"] as const satisfies readonly JobName[];

/**
 * Top-level report fields that describe *how* a generation was made — agents: `mode`,
 * `upstream`, `filters`; images: `cloud`, `source`, `signed` — copied into the manifest.
 * The rest of a report (plans, per-file results, durations) is bulky and only meaningful
 * online.
 */
const SETTINGS_FIELDS = ["mode", "upstream", "filters", "cloud", "source", "signed"] as const;

async function readSettings(
  store: ObjectStore,
  job: JobName,
  generation: number,
): Promise<Record<string, unknown> | undefined> {
  const object = await store.get(jobReportKey(job, generation));
  if (object === null) return undefined;
  let report: unknown;
  try {
    report = JSON.parse(await new Response(object.body).text());
  } catch {
    // A report is informative only: an unreadable one must not stop an export.
    return undefined;
  }
  if (typeof report !== "object" || report === null || Array.isArray(report)) return undefined;
  const record = report as Record<string, unknown>;
  const settings = Object.fromEntries(
    SETTINGS_FIELDS.filter((field) => record[field] !== undefined).map((field) => [
      field,
      record[field],
    ]),
  );
  return Object.keys(settings).length === 0 ? undefined : settings;
}

/** Every job's generations as the store records them, with the settings of the current one. */
export async function readBundleJobs(
  store: ObjectStore,
): Promise<Partial<Record<JobName, BundleJob>>> {
  const jobs: Partial<Record<JobName, BundleJob>> = {};
  for (const job of JOB_NAMES) {
    const state = await readJobState(store, job);
    if (state === null) continue;
    const settings =
      state.generation > 0 ? await readSettings(store, job, state.generation) : undefined;
    jobs[job] = {
      generation: state.generation,
      generations: { ...state.generations },
      ...(settings === undefined ? {} : { settings }),
    };
  }
  return jobs;
}

/** What the import did, recorded as each carried job's last run. */
export interface ImportRun {
  startedAt: Date;
  finishedAt: Date;
  counts: Record<string, number>;
  bytes: number;
}

/**
 * The local state after importing `bundled`: generation numbers come from the online
 * store, so its generations are added to the local record (its times win for a number
 * both know) and none is dropped; the current generation never goes backwards; the import
 * becomes the job's last (successful) run.
 */
export function mergeJobState(local: JobState, bundled: BundleJob, run: ImportRun): JobState {
  const record: JobRun = {
    startedAt: run.startedAt.toISOString(),
    finishedAt: run.finishedAt.toISOString(),
    outcome: "ok",
    durationMs: run.finishedAt.getTime() - run.startedAt.getTime(),
    counts: { ...run.counts },
    bytes: run.bytes,
    errors: [],
    generation: bundled.generation,
  };
  return {
    ...local,
    generation: Math.max(local.generation, bundled.generation),
    generations: { ...local.generations, ...bundled.generations },
    lastRun: record,
    lastSuccess: record,
  };
}

/** Writes every bundled job's merged state into `.streamgate/state/<job>.json`. */
export async function applyBundleJobs(
  store: ObjectStore,
  jobs: Partial<Record<JobName, BundleJob>>,
  run: ImportRun,
): Promise<JobName[]> {
  const written: JobName[] = [];
  for (const job of JOB_NAMES) {
    const bundled = jobs[job];
    if (bundled === undefined) continue;
    const local = (await readJobState(store, job)) ?? emptyJobState(job);
    await writeJobState(store, mergeJobState(local, bundled, run));
    written.push(job);
  }
  return written;
}
