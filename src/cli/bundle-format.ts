import type { BundleJob } from "../bundle/manifest.ts";
import type { JobName } from "../scheduler/job-state.ts";

/** `agents 2, images 1`, or `none recorded`. */
export function formatGenerations(jobs: Partial<Record<JobName, BundleJob>>): string {
  const parts = Object.entries(jobs).map(([job, state]) => `${job} ${state.generation}`);
  return parts.length === 0 ? "none recorded" : parts.join(", ");
}
