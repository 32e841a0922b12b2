import { type Context, Hono } from "hono";
import packageJson from "../../package.json" with { type: "json" };
import type { JobName } from "../scheduler/job-state.ts";
import { InvalidKeyError, StoreError } from "../store/errors.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { createAdminRoute, type TriggerSync } from "./admin-route.ts";
import { createBrowseRoute } from "./browse-route.ts";
import { createGzipCache } from "./gzip-cache.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { createOpsRoutes } from "./ops-routes.ts";
import { methodNotAllowed, notFound, plainText, storeUnavailable } from "./plain-responses.ts";
import type { TokenBucket } from "./token-bucket.ts";
import { createTreeRoute } from "./tree-route.ts";

export interface AppOptions {
  store: ObjectStore;
  /** Bearer token for /admin/*; undefined → every /admin route answers 404. */
  adminToken?: string;
  /** Runtime-specific trigger: Node starts the job unless running; Workers runs one batch under waitUntil. */
  triggerSync?: TriggerSync;
  /** Process/isolate-wide counters, created with createMetrics(); the app counts requests into it. */
  metrics?: Metrics;
  /** Configured jobs, so /status and the page can say "not configured" vs "never run". Default: both. */
  jobs?: readonly JobName[];
  /** Base URL the browse page shows in its Juju snippets (`https://mirror.example.com`); default: the request's origin. */
  publicUrl?: string;
  /** Reported by /status and the page; default: this package's version. */
  version?: string;
  /** Where unexpected errors are reported (never with secrets); default `console.error`. */
  logError?: (message: string) => void;
  /** Rate limit of /admin/*; default 10 requests a minute per process or isolate. */
  adminRateLimit?: TokenBucket;
  /**
   * Bytes of gzipped metadata kept in memory per process or isolate, so a product file is
   * not compressed again for every client; default 16 MiB, 0 turns keeping off.
   */
  gzipCacheBytes?: number;
}

const ALL_JOBS: readonly JobName[] = ["agents", "images"];
const GET_HEAD = "GET, HEAD";

function onlyGetOrHead(handler: (c: Context) => Response | Promise<Response>) {
  return function getOrHead(c: Context): Response | Promise<Response> {
    const method = c.req.method;
    return method === "GET" || method === "HEAD" ? handler(c) : methodNotAllowed(GET_HEAD);
  };
}

/**
 * The HTTP surface of streamgate, the same on Node and Workers: the runtime passes its
 * store (and, for `POST /admin/sync`, its way to start a sync); nothing here knows which
 * runtime or store it runs on.
 *
 * Reserved paths come first and shadow tree keys of the same name: `/healthz`, `/readyz`,
 * `/status`, `/metrics`, `/admin/*`. Everything else is the published tree.
 */
export function createApp(options: AppOptions): Hono {
  const { store } = options;
  const metrics = options.metrics ?? createMetrics();
  const jobs = options.jobs ?? ALL_JOBS;
  const version = options.version ?? packageJson.version;
  const logError = options.logError ?? ((message: string) => console.error(message));

  const ops = createOpsRoutes({ store, metrics, jobs, version });
  const admin = createAdminRoute({
    adminToken: options.adminToken,
    triggerSync: options.triggerSync,
    jobs: options.jobs,
    logError,
    ...(options.adminRateLimit === undefined ? {} : { rateLimit: options.adminRateLimit }),
  });
  const browse = createBrowseRoute({
    store,
    jobs,
    version,
    adminEnabled: options.adminToken !== undefined,
    publicUrl: options.publicUrl,
  });
  const gzipCache = createGzipCache(
    options.gzipCacheBytes === undefined ? {} : { maxBytes: options.gzipCacheBytes },
  );
  const tree = createTreeRoute({ store, metrics, browse, gzipCache });

  const app = new Hono();

  // Only the status is read here: touching the response's headers would make
  // @hono/node-server leave its fast path. Body bytes are counted by the tree route.
  app.use(async function countRequest(c, next) {
    await next();
    metrics.recordRequest(c.res.status);
  });

  app.onError(function answerError(error) {
    if (error instanceof InvalidKeyError) return plainText(400, "400 Bad Request: invalid path");
    if (error instanceof StoreError) {
      logError(error.message);
      return storeUnavailable();
    }
    logError(
      `[streamgate] [http] unexpected error: ${error instanceof Error ? error.stack : String(error)}`,
    );
    return plainText(500, "500 Internal Server Error");
  });
  app.notFound(() => notFound());

  app.all("/healthz", onlyGetOrHead(ops.healthz));
  app.all("/readyz", onlyGetOrHead(ops.readyz));
  app.all("/status", onlyGetOrHead(ops.status));
  app.all("/metrics", onlyGetOrHead(ops.metrics));
  app.all("/admin", admin);
  app.all("/admin/*", admin);
  app.all("*", tree);
  return app;
}
