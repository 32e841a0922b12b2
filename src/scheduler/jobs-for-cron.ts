import type { Job } from "./job.ts";

/**
 * The jobs a Workers `scheduled()` event should run: Cloudflare passes the trigger's
 * pattern as `controller.cron`, so a job runs when its own cron is that exact string.
 */
export function jobsForCron(jobs: readonly Job[], cron: string): Job[] {
  return jobs.filter((job) => job.cron.trim() === cron.trim());
}
