import type { AgentsSyncReport } from "../sync/index.ts";
import { formatBytes } from "./format-bytes.ts";

/** Planned adds and deletes listed one per line; beyond this, `--json` has them all. */
const MAX_LISTED = 40;

function listed<T>(items: readonly T[], line: (item: T) => string): string[] {
  const lines = items.slice(0, MAX_LISTED).map((item) => `    ${line(item)}`);
  if (items.length > MAX_LISTED) {
    lines.push(`    … and ${items.length - MAX_LISTED} more (--json lists them all)`);
  }
  return lines;
}

function versionsLine(versions: readonly string[]): string {
  if (versions.length === 0) return "no versions";
  if (versions.length <= 8) return `${versions.length} version(s): ${versions.join(", ")}`;
  return `${versions.length} versions: ${versions.slice(0, 3).join(", ")} … ${versions.slice(-3).join(", ")}`;
}

function headline(report: AgentsSyncReport, generation: number | undefined): string {
  switch (report.outcome) {
    case "published":
      return `published${generation === undefined ? "" : ` generation ${generation}`}`;
    case "unchanged":
      return "up to date, nothing to publish";
    case "incomplete":
      return "stopped before publishing; run again to resume";
    case "dry-run":
      return "dry run: nothing was changed";
    default:
      return "FAILED, nothing was published";
  }
}

/** The human summary printed on stderr after `sync agents`. */
export function formatSyncSummary(report: AgentsSyncReport, generation?: number): string {
  const { plan, transfer, selected } = report;
  const lines = [
    `streamgate sync agents (${report.mode}) from ${report.upstream.url}: ${headline(report, generation)}`,
  ];
  if (report.upstream.index !== undefined) {
    const signer = report.upstream.signer
      ? `signed by ${report.upstream.signer.keyId}`
      : "unsigned";
    lines.push(`  upstream index ${report.upstream.index} (${signer})`);
  }
  if (selected.tarballs > 0) {
    lines.push(
      `  selected ${versionsLine(selected.versions)}; ${selected.tarballs} tarballs, ${formatBytes(selected.bytes)}`,
    );
  }
  if (report.outcome === "dry-run") {
    lines.push(`  would copy ${plan.copies.length} tarball(s), ${formatBytes(plan.copyBytes)}:`);
    lines.push(
      ...listed(
        plan.copies,
        (copy) => `+ ${copy.path} (${formatBytes(copy.size)}, ${copy.reason})`,
      ),
    );
    lines.push(`  would write ${plan.writes.length} metadata file(s):`);
    lines.push(...listed(plan.writes, (write) => `~ ${write.path} (${formatBytes(write.bytes)})`));
    lines.push(`  would delete ${plan.deletes.length} object(s):`);
    lines.push(...listed(plan.deletes, (entry) => `- ${entry.key} (${entry.when})`));
    lines.push(
      `  already held: ${transfer.skipped} tarball(s), ${formatBytes(transfer.skippedBytes)}`,
    );
  } else if (selected.tarballs > 0) {
    lines.push(
      `  copied ${transfer.copied} tarball(s) (${formatBytes(transfer.bytes)}), already held ${transfer.skipped}` +
        (transfer.verified > 0 ? `, re-hashed ${transfer.verified}` : "") +
        (transfer.remaining > 0 ? `, left for the next run ${transfer.remaining}` : ""),
    );
    lines.push(
      `  metadata written ${report.published ? plan.writes.length : 0}; deleted ${report.gc.deleted.length} object(s), ${report.gc.pending} waiting for their grace period`,
    );
  }
  for (const failure of report.failures) lines.push(`  error: ${failure.message}`);
  for (const warning of report.warnings) lines.push(`  warning: ${warning}`);
  lines.push(`  took ${(report.durationsMs.total / 1000).toFixed(1)} s`);
  return `${lines.join("\n")}\n`;
}
