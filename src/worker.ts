import type {
  ExecutionContext,
  ExportedHandler,
  R2Bucket,
  ScheduledController,
} from "@cloudflare/workers-types";
import type { Hono } from "hono";
import { parseConfig } from "./config/parse-config.ts";
import type { Config } from "./config/schema.ts";
import { createApp, createMetrics } from "./http/index.ts";
import { jobsFromConfig } from "./jobs/configured-jobs.ts";
import type { Job } from "./scheduler/job.ts";
import type { JobName } from "./scheduler/job-state.ts";
import { jobsForCron } from "./scheduler/jobs-for-cron.ts";
import { runJob } from "./scheduler/run-job.ts";
import { createR2Store } from "./store/r2.ts";

/** Bindings and secrets of the Worker (wrangler.toml; secrets with `wrangler secret put`). */
export interface Env {
  MIRROR: R2Bucket;
  /** The configuration document as JSON (DESIGN.md §7); `store`/`listen` are ignored here. */
  STREAMGATE_CONFIG?: string;
  STREAMGATE_ADMIN_TOKEN?: string;
  /** The operator's armored private key for image-ids (a secret; never stored in R2). */
  STREAMGATE_SIGNING_KEY?: string;
  /** OpenStack credentials for the images job (`OS_AUTH_URL`, `OS_USERNAME`, `OS_PASSWORD`…). */
  [secret: `OS_${string}`]: string | undefined;
  /** Time budget of one scheduled batch in seconds (default 600 of the 900 s cron limit). */
  STREAMGATE_TIME_BUDGET?: string;
}

const DEFAULT_TIME_BUDGET_SECONDS = 600;

interface Isolate {
  app: Hono;
  jobs: Job[];
}

// One app per isolate and bindings object: routes and metrics survive between requests.
const isolates = new WeakMap<Env, Isolate>();

function readConfig(env: Env): Config {
  const text = env.STREAMGATE_CONFIG;
  if (text === undefined || text.trim() === "") return parseConfig({}, "STREAMGATE_CONFIG");
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (error) {
    throw new Error(`[streamgate] STREAMGATE_CONFIG is not valid JSON: ${String(error)}`);
  }
  return parseConfig(document, "STREAMGATE_CONFIG");
}

function timeBudgetMs(env: Env): number {
  const seconds = Number(env.STREAMGATE_TIME_BUDGET ?? DEFAULT_TIME_BUDGET_SECONDS);
  return (Number.isFinite(seconds) && seconds > 0 ? seconds : DEFAULT_TIME_BUDGET_SECONDS) * 1000;
}

function runBatch(env: Env, job: Job) {
  return runJob(job, {
    store: createR2Store({ bucket: env.MIRROR }),
    signal: AbortSignal.timeout(timeBudgetMs(env)),
    log: (message) => console.log(message),
  });
}

function isolateFor(env: Env): Isolate {
  const existing = isolates.get(env);
  if (existing !== undefined) return existing;
  const jobs = jobsFromConfig(readConfig(env), { env: env as unknown as Record<string, unknown> });
  const metrics = createMetrics();
  const app = createApp({
    store: createR2Store({ bucket: env.MIRROR }),
    metrics,
    jobs: jobs.map((job) => job.name),
    ...(env.STREAMGATE_ADMIN_TOKEN ? { adminToken: env.STREAMGATE_ADMIN_TOKEN } : {}),
    triggerSync: async (name: JobName | undefined, context) => {
      const selected = jobs.filter((job) => name === undefined || job.name === name);
      if (selected.length === 0) return { started: false, message: "no such job is configured" };
      for (const job of selected) {
        context.waitUntil(
          runBatch(env, job).then((run) =>
            metrics.recordSync(job.name, run.outcome, run.durationMs ?? 0),
          ),
        );
      }
      return {
        started: true,
        message: `started one batch of ${selected.map((job) => job.name).join(", ")}`,
      };
    },
  });
  const isolate = { app, jobs };
  isolates.set(env, isolate);
  return isolate;
}

/** Serves the mirror from R2 and runs the configured jobs from cron triggers. */
export default {
  fetch(request, env, ctx) {
    return isolateFor(env).app.fetch(request as unknown as Request, env, ctx) as never;
  },
  async scheduled(controller: ScheduledController, env: Env, ctx: ExecutionContext) {
    const { jobs } = isolateFor(env);
    for (const job of jobsForCron(jobs, controller.cron)) {
      ctx.waitUntil(runBatch(env, job));
    }
  },
} satisfies ExportedHandler<Env>;
