/**
 * @module
 * The runtime-neutral HTTP app: the published tree (Range, conditional GET, gzip JSON),
 * the browse page, health/status/metrics and the admin sync trigger.
 */
export type { TriggerContext, TriggerResult, TriggerSync } from "./admin-route.ts";
export { type AppOptions, createApp } from "./app.ts";
export {
  createMetrics,
  METRICS_CONTENT_TYPE,
  type Metrics,
  type MetricsOptions,
  type SyncOutcome,
} from "./metrics.ts";
export type { StatusDocument } from "./ops-routes.ts";
export { createTokenBucket, type TokenBucket, type TokenBucketOptions } from "./token-bucket.ts";
