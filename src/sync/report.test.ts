import { describe, expect, it } from "vitest";
import { AgentsSyncError } from "./errors.ts";
import { emptyReport, reportCounts } from "./report.ts";

function report() {
  return emptyReport({
    mode: "filtered",
    dryRun: false,
    upstream: "https://streams.example/juju/tools",
    filters: { streams: ["released"], legacyTools: false },
    startedAt: new Date("2026-11-23T10:00:00Z"),
  });
}

describe("reports", () => {
  it("start as a failure until the run says otherwise", () => {
    expect(report()).toMatchObject({ outcome: "failed", published: false, failures: [] });
  });

  it("count what a run did for the job state", () => {
    const done = report();
    done.selected.tarballs = 8;
    done.transfer.copied = 3;
    done.transfer.skipped = 5;
    done.gc.deleted = ["juju/tools/a.tgz"];
    done.gc.pending = 2;
    done.plan.writes = [{ path: "streams/v1/index2.json", bytes: 10, kind: "index" }];
    expect(reportCounts(done)).toEqual({
      selectedTarballs: 8,
      copied: 3,
      skipped: 5,
      remaining: 0,
      metadataWritten: 1,
      deleted: 1,
      pendingDeletions: 2,
    });
  });

  it("lead a failed run's error message with its first failure", () => {
    const failed = report();
    failed.failures.push(
      {
        kind: "tarball",
        path: "agent/x.tgz",
        message: "[streamgate] [sync] agent/x.tgz does not match",
      },
      { kind: "store", message: "disk full" },
    );
    const error = new AgentsSyncError(failed, new Error("cause"));
    expect(error.message).toBe(
      "[streamgate] [sync] agents sync failed: agent/x.tgz does not match (and 1 more)",
    );
    expect(error.report).toBe(failed);
  });
});
