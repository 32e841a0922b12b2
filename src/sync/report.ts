/**
 * The machine-readable account of one agents sync: what was planned, copied, skipped,
 * published and scheduled for deletion, and why it failed if it did. Printed by
 * `sync agents --json`, stored by the job runner at `.streamgate/reports/agents/<n>.json`.
 */

/**
 * - `published`: the served metadata changed (a new generation).
 * - `unchanged`: everything already held and published; nothing to do.
 * - `incomplete`: stopped by the signal (Worker time budget, shutdown) before publishing;
 *   the next run resumes. Not a failure.
 * - `dry-run`: planned only; the store was not touched.
 * - `failed`: refused or broken; nothing was published.
 */
export type SyncOutcome = "published" | "unchanged" | "incomplete" | "dry-run" | "failed";

export type SyncFailureKind =
  | "upstream"
  | "metadata"
  | "tarball"
  | "selection"
  | "lock"
  | "store"
  | "internal";

export interface SyncFailure {
  kind: SyncFailureKind;
  message: string;
  /** The upstream path (relative to the base) or store key concerned. */
  path?: string;
  /** Items naming it: `<content id> <product id> <version key> <item key>`. */
  items?: string[];
}

export interface PlannedCopy {
  /** Relative to the base; the store key is `juju/tools/<path>`. */
  path: string;
  size: number;
  sha256: string;
  /** Not in the store; in the store with other bytes; failed `verifyExisting`. */
  reason: "missing" | "differs" | "corrupt";
}

export interface PlannedWrite {
  path: string;
  bytes: number;
  kind: "product" | "index";
}

export interface PlannedDelete {
  key: string;
  /** `now`: a pointer or unmirrored product file, removed right after the switch. */
  when: "now" | "after-grace";
}

export interface AgentsSyncFilters {
  streams: string[];
  legacyTools: boolean;
  minVersion?: string;
  maxVersion?: string;
  arches?: string[];
  os?: string[];
  keep?: number;
  pins?: string[];
}

export interface AgentsSyncReport {
  job: "agents";
  outcome: SyncOutcome;
  /** The served metadata changed; the job's generation grows by one. */
  published: boolean;
  mode: "filtered" | "exact";
  dryRun: boolean;
  upstream: {
    url: string;
    /** The index read, relative to the base (`streams/v1/index2.sjson`). */
    index?: string;
    signed?: boolean;
    signer?: { keyId: string; fingerprint: string };
    indexSha256?: string;
  };
  filters: AgentsSyncFilters;
  selected: {
    /** Distinct Juju versions held after the run, sorted oldest first. */
    versions: string[];
    items: number;
    tarballs: number;
    bytes: number;
    /** With `minVersion: latest`: what it resolved to, per content id. */
    latest: Record<string, string>;
    missingPins: string[];
  };
  plan: {
    copies: PlannedCopy[];
    copyBytes: number;
    writes: PlannedWrite[];
    deletes: PlannedDelete[];
  };
  transfer: {
    copied: number;
    bytes: number;
    /** Tarballs already held with the right size and sha256. */
    skipped: number;
    skippedBytes: number;
    /** Held tarballs re-hashed (`verifyExisting`). */
    verified: number;
    /** Whole-file retries after a body failed mid-way. */
    retries: number;
    /** Left for the next run (`incomplete`). */
    remaining: number;
    remainingBytes: number;
  };
  gc: { deleted: string[]; scheduled: number; pending: number };
  /** The run continued the plan a previous, interrupted run saved. */
  resumed: boolean;
  lock: { owner?: string; mode: "conditional" | "best-effort" | "none"; tookOverFrom?: string };
  startedAt: string;
  finishedAt: string;
  durationsMs: {
    lock: number;
    read: number;
    plan: number;
    copy: number;
    publish: number;
    gc: number;
    total: number;
  };
  failures: SyncFailure[];
  warnings: string[];
}

export function emptyReport(init: {
  mode: "filtered" | "exact";
  dryRun: boolean;
  upstream: string;
  filters: AgentsSyncFilters;
  startedAt: Date;
}): AgentsSyncReport {
  return {
    job: "agents",
    outcome: "failed",
    published: false,
    mode: init.mode,
    dryRun: init.dryRun,
    upstream: { url: init.upstream },
    filters: init.filters,
    selected: { versions: [], items: 0, tarballs: 0, bytes: 0, latest: {}, missingPins: [] },
    plan: { copies: [], copyBytes: 0, writes: [], deletes: [] },
    transfer: {
      copied: 0,
      bytes: 0,
      skipped: 0,
      skippedBytes: 0,
      verified: 0,
      retries: 0,
      remaining: 0,
      remainingBytes: 0,
    },
    gc: { deleted: [], scheduled: 0, pending: 0 },
    resumed: false,
    lock: { mode: "none" },
    startedAt: init.startedAt.toISOString(),
    finishedAt: init.startedAt.toISOString(),
    durationsMs: { lock: 0, read: 0, plan: 0, copy: 0, publish: 0, gc: 0, total: 0 },
    failures: [],
    warnings: [],
  };
}

/** Named counts for the job state (`/status`, metrics). */
export function reportCounts(report: AgentsSyncReport): Record<string, number> {
  return {
    selectedTarballs: report.selected.tarballs,
    copied: report.transfer.copied,
    skipped: report.transfer.skipped,
    remaining: report.transfer.remaining,
    metadataWritten: report.plan.writes.length,
    deleted: report.gc.deleted.length,
    pendingDeletions: report.gc.pending,
  };
}
