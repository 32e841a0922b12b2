import type { AgentsJobConfig } from "../config/schema.ts";
import type { Job } from "../scheduler/job.ts";
import {
  AgentsSyncError,
  type AgentsSyncOptions,
  type AgentsSyncReport,
  reportCounts,
  runAgentsSync,
} from "../sync/index.ts";
import type { Upstream } from "../upstream/index.ts";

export interface AgentsJobOptions
  extends Pick<
    AgentsSyncOptions,
    | "onProgress"
    | "verifyExisting"
    | "wait"
    | "owner"
    | "now"
    | "retries"
    | "retryDelayMs"
    | "sleep"
  > {
  config: AgentsJobConfig;
  /** Builds the upstream when a run starts (so a key file is read then, not at load). */
  openUpstream: (config: AgentsJobConfig) => Promise<Upstream>;
  /** Told the report of every run, failed ones included. */
  onReport?: (report: AgentsSyncReport) => void;
}

/**
 * The `agents` job: one `runAgentsSync` per run, its report handed to the runner (stored
 * under the generation when it publishes). A run stopped by the signal ends `ok` without
 * publishing; the next resumes where it stopped.
 */
export function createAgentsJob(options: AgentsJobOptions): Job {
  const { config, openUpstream, onReport } = options;
  return {
    name: "agents",
    cron: config.cron,
    runOnStart: config.runOnStart,
    run: async function runAgentsJob(context) {
      const upstream = await openUpstream(config);
      try {
        const report = await runAgentsSync({
          ...options,
          store: context.store,
          upstream,
          config,
          signal: context.signal,
        });
        onReport?.(report);
        return {
          published: report.published,
          counts: reportCounts(report),
          bytes: report.transfer.bytes,
          warnings: report.warnings,
          report,
        };
      } catch (error) {
        if (error instanceof AgentsSyncError) onReport?.(error.report);
        throw error;
      }
    },
  };
}
