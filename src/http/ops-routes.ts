import type { Context } from "hono";
import type { JobName, JobState } from "../scheduler/job-state.ts";
import { jobStateKey } from "../scheduler/job-state.ts";
import { readJobState } from "../scheduler/job-state-store.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { METRICS_CONTENT_TYPE, type Metrics } from "./metrics.ts";
import { plainText, storeUnavailable } from "./plain-responses.ts";

/** `/status` body. A job missing from `jobs` is not configured; `null` means never run. */
export interface StatusDocument {
  version: string;
  store: { name: string };
  jobs: Partial<Record<JobName, JobState | null>>;
}

export interface OpsRoutesOptions {
  store: ObjectStore;
  metrics: Metrics;
  jobs: readonly JobName[];
  version: string;
  /** How long `/readyz` waits for the store before calling it unready. */
  readyTimeoutMs?: number;
}

/** Reads every configured job's state; the page and `/status` share it. */
export async function readJobStates(
  store: ObjectStore,
  jobs: readonly JobName[],
): Promise<Partial<Record<JobName, JobState | null>>> {
  const states = await Promise.all(jobs.map((job) => readJobState(store, job)));
  return Object.fromEntries(jobs.map((job, i) => [job, states[i] ?? null]));
}

const NO_STORE = { "cache-control": "no-store" } as const;

export function createOpsRoutes(options: OpsRoutesOptions) {
  const { store, metrics, jobs, version } = options;
  const readyTimeoutMs = options.readyTimeoutMs ?? 5_000;

  return {
    /** The process is up; deliberately touches nothing else. */
    healthz: function healthz(): Response {
      return plainText(200, "ok");
    },

    /** Ready when the store answers a cheap `head` (found or not) in time. */
    readyz: async function readyz(): Promise<Response> {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), readyTimeoutMs);
      });
      try {
        const answer = await Promise.race([store.head(jobStateKey("agents")), timeout]);
        if (answer === "timeout") return storeUnavailable();
        return plainText(200, "ready");
      } catch {
        return storeUnavailable();
      } finally {
        clearTimeout(timer);
      }
    },

    status: async function status(c: Context): Promise<Response> {
      const document: StatusDocument = {
        version,
        store: { name: store.name },
        jobs: await readJobStates(store, jobs),
      };
      return c.json(document, 200, NO_STORE);
    },

    metrics: function renderMetrics(): Response {
      return new Response(metrics.render(), {
        headers: { "content-type": METRICS_CONTENT_TYPE, ...NO_STORE },
      });
    },
  };
}
