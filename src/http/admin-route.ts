import type { Context } from "hono";
import type { JobName } from "../scheduler/job-state.ts";
import { createBearerCheck } from "./bearer-token.ts";
import { methodNotAllowed, notFound, plainText } from "./plain-responses.ts";
import { createTokenBucket, type TokenBucket } from "./token-bucket.ts";

/** What `triggerSync` reports; the admin route answers 202 when started, else 409. */
export interface TriggerResult {
  started: boolean;
  message: string;
}

/** What the runtime lends a trigger for work that outlives the response. */
export interface TriggerContext {
  /**
   * Keeps the isolate alive for `promise` on Workers (`ExecutionContext.waitUntil`); on
   * Node the process stays up anyway and a rejection is only logged.
   */
  waitUntil(promise: Promise<unknown>): void;
}

export type TriggerSync = (
  job: JobName | undefined,
  context: TriggerContext,
) => Promise<TriggerResult>;

export interface AdminRouteOptions {
  /** Undefined turns every `/admin` path into a 404. */
  adminToken: string | undefined;
  triggerSync: TriggerSync | undefined;
  /** Configured jobs; `undefined` means any known job may be asked for. */
  jobs: readonly JobName[] | undefined;
  /** Defaults to 10 requests a minute for the whole process or isolate. */
  rateLimit?: TokenBucket;
  logError: (message: string) => void;
}

const KNOWN_JOBS: readonly JobName[] = ["agents", "images"];

function json(status: number, body: unknown, extra: Record<string, string> = {}): Response {
  return new Response(`${JSON.stringify(body)}\n`, {
    status,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...extra,
    },
  });
}

function triggerContext(c: Context, logError: (message: string) => void): TriggerContext {
  let executionCtx: { waitUntil(promise: Promise<unknown>): void } | undefined;
  try {
    executionCtx = c.executionCtx;
  } catch {
    // Node has no ExecutionContext; hono throws when asked for one.
  }
  return {
    waitUntil(promise) {
      const logged = promise.catch((error: unknown) => {
        logError(
          `[streamgate] [http] triggered sync failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      });
      executionCtx?.waitUntil(logged);
    },
  };
}

/**
 * `/admin/*`: only `POST /admin/sync[?job=agents|images]` exists. Order of checks: no
 * token configured (404, so the surface does not even show), rate limit (before the token
 * check, so guessing is slow too), method, bearer token, job name.
 */
export function createAdminRoute(options: AdminRouteOptions) {
  const { adminToken, triggerSync, jobs } = options;
  const isAuthorized = adminToken === undefined ? undefined : createBearerCheck(adminToken);
  const bucket = options.rateLimit ?? createTokenBucket({ capacity: 10, refillMs: 6_000 });

  return async function serveAdmin(c: Context): Promise<Response> {
    if (isAuthorized === undefined) return notFound();
    const taken = bucket.take();
    if (!taken.allowed) {
      return plainText(429, "429 Too Many Requests", {
        "retry-after": String(taken.retryAfterSeconds),
      });
    }
    if (c.req.path !== "/admin/sync") return notFound();
    if (c.req.method !== "POST") return methodNotAllowed("POST");
    if (!(await isAuthorized(c.req.header("authorization") ?? null))) {
      return plainText(401, "401 Unauthorized", {
        "www-authenticate": 'Bearer realm="streamgate"',
      });
    }

    const asked = c.req.query("job");
    let job: JobName | undefined;
    if (asked !== undefined) {
      job = KNOWN_JOBS.find((known) => known === asked);
      if (job === undefined) {
        return json(400, { started: false, message: `unknown job; expected agents or images` });
      }
      if (jobs !== undefined && !jobs.includes(job)) {
        return json(400, { started: false, message: `job ${job} is not configured` });
      }
    }
    if (triggerSync === undefined) {
      return json(501, { started: false, message: "this server cannot start syncs" });
    }
    const result = await triggerSync(job, triggerContext(c, options.logError));
    return json(result.started ? 202 : 409, { started: result.started, message: result.message });
  };
}
