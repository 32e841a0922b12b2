/**
 * @module
 * The agents sync: read a signed upstream, plan, copy tarballs with streaming
 * verification, publish atomically (tarballs → product files → index), collect garbage
 * after a grace period — under a lease lock in the store, resumable across time-boxed
 * batches. Runtime-neutral (web streams, Web Crypto): the Node job, the CLI and the Worker
 * all call `runAgentsSync`.
 */
export {
  type AgentsTree,
  buildExactTree,
  buildFilteredTree,
  type MetadataFile,
  type TarballSpec,
  treePaths,
} from "./build-tree.ts";
export {
  type CopyTarballsOptions,
  type CopyTarballsResult,
  copyTarballs,
} from "./copy-tarballs.ts";
export { AgentsSyncConfigError, AgentsSyncError } from "./errors.ts";
export {
  type CollectionPlan,
  collectGarbage,
  emptyGcState,
  type GcState,
  planCollection,
  readGcState,
  scheduleDeletions,
  writeGcState,
} from "./gc.ts";
export {
  AGENTS_GC_KEY,
  AGENTS_LOCK_KEY,
  AGENTS_PREFIX,
  AGENTS_PROGRESS_KEY,
  agentsKey,
  contentAddressedPath,
  INDEX_PATHS,
} from "./layout.ts";
export {
  type Acquired,
  type AcquireOptions,
  createLeaseLock,
  type LeaseLock,
  type LeaseLockOptions,
  type LeaseRecord,
  LockHeldError,
  LockLostError,
} from "./lease-lock.ts";
export { type AgentsPlan, type PlanAgentsSyncInput, planAgentsSync } from "./plan.ts";
export { type AgentsProgress, readProgress } from "./progress.ts";
export { publishPlan } from "./publish.ts";
export { mirroredContentIds, readUpstreamTree, type UpstreamTree } from "./read-upstream.ts";
export {
  type AgentsSyncFilters,
  type AgentsSyncReport,
  type PlannedCopy,
  type PlannedDelete,
  type PlannedWrite,
  reportCounts,
  type SyncFailure,
  type SyncFailureKind,
  type SyncOutcome,
} from "./report.ts";
export {
  type AgentsSyncConfig,
  type AgentsSyncOptions,
  type AgentsSyncPhase,
  type AgentsSyncProgress,
  runAgentsSync,
} from "./run-agents-sync.ts";
export { readServedTree, type ServedTree, servedPaths } from "./served-tree.ts";
export type { Sleep } from "./sleep.ts";
