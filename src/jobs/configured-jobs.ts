import type { AgentsJobConfig, Config, ImagesJobConfig } from "../config/schema.ts";
import { createImagesJobFromEnv } from "../images/images-job-from-env.ts";
import type { Job } from "../scheduler/job.ts";
import type { Upstream } from "../upstream/index.ts";
import { createAgentsJob } from "./agents-job.ts";
import { openAgentsUpstream } from "./agents-upstream.ts";

export interface JobsRuntime {
  /**
   * Builds the agents upstream at the start of each run. Default: http(s) upstreams with
   * the built-in or an inline armored key, which works on every runtime; Node passes
   * `openNodeAgentsUpstream` (src/jobs/node-upstream.ts) for key files and `file://`.
   */
  openUpstream?: (config: AgentsJobConfig) => Promise<Upstream>;
  /**
   * Builds the images job. Default: OpenStack credentials and the signing key from the
   * given environment (Worker secrets); Node passes `createNodeImagesJob`
   * (src/images/node-images.ts) for clouds.yaml, static lists and key files.
   */
  imagesJob?: (config: ImagesJobConfig) => Job;
  /** Secrets for the default images job: `OS_*`, `STREAMGATE_SIGNING_KEY`. */
  env?: Readonly<Record<string, unknown>>;
}

/** The jobs the configuration asks for, on any runtime. */
export function jobsFromConfig(config: Config, runtime: JobsRuntime = {}): Job[] {
  const jobs: Job[] = [];
  if (config.agents !== undefined) {
    jobs.push(
      createAgentsJob({
        config: config.agents,
        openUpstream: runtime.openUpstream ?? ((agents) => openAgentsUpstream(agents)),
      }),
    );
  }
  if (config.images !== undefined) {
    const images = runtime.imagesJob ?? ((c) => createImagesJobFromEnv(c, runtime.env ?? {}));
    jobs.push(images(config.images));
  }
  return jobs;
}
