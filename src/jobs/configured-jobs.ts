import type { Config } from "../config/schema.ts";
import type { Job } from "../scheduler/job.ts";

function unavailable(what: string): () => Promise<never> {
  return async function unavailableJob() {
    throw new Error(`${what} is not available in this version of streamgate yet`);
  };
}

/** The jobs the configuration asks for, on any runtime. */
export function jobsFromConfig(config: Config): Job[] {
  const jobs: Job[] = [];
  if (config.agents !== undefined) {
    jobs.push({
      name: "agents",
      cron: config.agents.cron,
      runOnStart: config.agents.runOnStart,
      run: unavailable("agent sync"),
    });
  }
  if (config.images !== undefined) {
    jobs.push({
      name: "images",
      cron: config.images.cron,
      runOnStart: config.images.runOnStart,
      run: unavailable("image-ids sync"),
    });
  }
  return jobs;
}
