import type { ImagesJobConfig } from "../config/schema.ts";
import type { Job, JobContext, JobResult } from "../scheduler/job.ts";
import type { ImageSource } from "./image-source.ts";
import type { ImagesLockOptions } from "./images-lock.ts";
import type { ImagesReport } from "./images-report.ts";
import { runImagesSync } from "./sync-images.ts";

export interface ImagesJobDeps {
  /** The source of one run; called per run, so rotated credentials and edited files apply. */
  openSource: () => ImageSource | Promise<ImageSource>;
  /**
   * The operator's armored private key, or how to read it per run; `undefined` → unsigned
   * `.json` only, with a warning in the report.
   */
  signingKey?: string | (() => Promise<string | undefined>);
  /**
   * The store's images lease lock (`.streamgate/lock/images`), which every run takes while
   * it rewrites the tree, so a CLI run next to the scheduler (or two Worker invocations)
   * never interleave. Default: fail the run when another writer holds it.
   */
  lock?: ImagesLockOptions;
  now?: () => Date;
}

/** A job result that also carries the run's report (`/status`, `--json`). */
export type ImagesJobResult = JobResult & { report: ImagesReport };

/**
 * The `images` job for the scheduler (Node) or a cron trigger (Workers): one
 * `runImagesSync` per run with the `images` block of the configuration. Runtime-neutral;
 * the runtime supplies the source and the signing key (`createNodeImagesJob` on Node,
 * `createImagesJobFromEnv` on Workers).
 */
export function createImagesJob(config: ImagesJobConfig, deps: ImagesJobDeps): Job {
  return {
    name: "images",
    cron: config.cron,
    runOnStart: config.runOnStart,
    run: async function runImagesJob(context: JobContext): Promise<ImagesJobResult> {
      const source = await deps.openSource();
      const signingKey =
        typeof deps.signingKey === "function" ? await deps.signingKey() : deps.signingKey;
      const { report, counts } = await runImagesSync({
        store: context.store,
        source,
        cloud: config.cloud,
        ...(config.endpoint === undefined ? {} : { endpoint: config.endpoint }),
        regionEndpoints: config.regionEndpoints,
        contentId: config.contentId,
        keepGenerations: config.keepGenerations,
        overrides: config.overrides,
        ...(signingKey === undefined ? {} : { signingKey }),
        signal: context.signal,
        log: context.log,
        ...(deps.lock === undefined ? {} : { lock: deps.lock }),
        ...(deps.now === undefined ? {} : { now: deps.now }),
      });
      return { counts, published: report.published, warnings: report.warnings, report };
    },
  };
}
