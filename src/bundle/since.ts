import type { JobName } from "../scheduler/job-state.ts";
import { BundleInputError } from "./errors.ts";
import type { BundleJob, BundleSince } from "./manifest.ts";

/** `--since 5` or `--since images:5`. */
export interface SinceGeneration {
  job: JobName;
  generation: number;
}

/**
 * The job a bare `--since N` counts in: agent tarballs are the only payload a mirror
 * holds (image-ids are metadata, always bundled), so agents' generations are what an
 * operator tracks between two trips.
 */
export const DEFAULT_SINCE_JOB: JobName = "agents";

/**
 * Reads `--since`: `N` (a generation of the agents job) or `JOB:N`.
 *
 * @throws {BundleInputError} for anything else.
 */
export function parseSince(text: string): SinceGeneration {
  const match = /^(?:(agents|images):)?(\d{1,15})$/.exec(text.trim());
  if (match === null) {
    throw new BundleInputError(
      `\`--since\` expects a generation number, optionally prefixed by its job (5, agents:5, images:3), got ${JSON.stringify(text)}`,
    );
  }
  return {
    job: (match[1] as JobName | undefined) ?? DEFAULT_SINCE_JOB,
    generation: Number(match[2]),
  };
}

/**
 * When `since` was published, from the exporting store's job state.
 *
 * @throws {BundleInputError} when the store has no record of that generation.
 */
export function resolveSince(
  jobs: Partial<Record<JobName, BundleJob>>,
  since: SinceGeneration,
): BundleSince {
  const job = jobs[since.job];
  const publishedAt = job?.generations[String(since.generation)];
  if (job === undefined || publishedAt === undefined) {
    const known = job === undefined ? [] : Object.keys(job.generations);
    throw new BundleInputError(
      `generation ${since.generation} of the ${since.job} job is unknown to this store (${
        known.length === 0 ? "it has no recorded generations" : `known: ${known.join(", ")}`
      }); export without --since`,
    );
  }
  return { job: since.job, generation: since.generation, publishedAt };
}
