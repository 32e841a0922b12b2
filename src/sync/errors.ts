import type { AgentsSyncReport, SyncFailure } from "./report.ts";

/**
 * The sync was asked for something that makes no sense (exact mode with a filter, a
 * malformed version bound…). Nothing was read or written; the CLI exits 2.
 */
export class AgentsSyncConfigError extends Error {
  constructor(message: string) {
    super(`[streamgate] [sync] ${message}`);
    this.name = "AgentsSyncConfigError";
  }
}

/**
 * A sync that failed: upstream unreachable or not trustworthy, a tarball that does not
 * match its signed metadata, the lock held by another sync, a store failure. Nothing was
 * published; `report` says what happened (`outcome: "failed"`, `failures`).
 */
export class AgentsSyncError extends Error {
  readonly report: AgentsSyncReport;

  constructor(report: AgentsSyncReport, cause: unknown) {
    const first = report.failures[0]?.message ?? String(cause);
    const more = report.failures.length > 1 ? ` (and ${report.failures.length - 1} more)` : "";
    super(`[streamgate] [sync] agents sync failed: ${stripPrefix(first)}${more}`, { cause });
    this.name = "AgentsSyncError";
    this.report = report;
  }
}

/** One reason to refuse the run, raised inside the engine and recorded in the report. */
export class SyncRefusal extends Error {
  readonly failure: SyncFailure;

  constructor(failure: SyncFailure) {
    super(failure.message);
    this.name = "SyncRefusal";
    this.failure = failure;
  }
}

/** A message without its `[streamgate] [origin]` prefixes. */
export function stripPrefix(message: string): string {
  return message.replace(/^(?:\[[^\]]*\] )+/, "");
}

export function messageOf(error: unknown): string {
  return stripPrefix(error instanceof Error ? error.message : String(error));
}
