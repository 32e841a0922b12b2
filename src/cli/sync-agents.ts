import { hostname } from "node:os";
import { ConfigError } from "../config/config-error.ts";
import { loadConfig } from "../config/load-config.ts";
import { parseConfig } from "../config/parse-config.ts";
import { type AgentsJobConfig, FILTERED_ONLY_AGENT_KEYS } from "../config/schema.ts";
import { createAgentsJob } from "../jobs/agents-job.ts";
import { openNodeAgentsUpstream } from "../jobs/node-upstream.ts";
import { runJob } from "../scheduler/run-job.ts";
import { openStore } from "../store/open-store.ts";
import {
  AgentsSyncConfigError,
  AgentsSyncError,
  type AgentsSyncReport,
  runAgentsSync,
} from "../sync/index.ts";
import type { Upstream } from "../upstream/index.ts";
import { createSyncProgress } from "./sync-progress.ts";
import { formatSyncSummary } from "./sync-summary.ts";
import { UsageError } from "./usage-error.ts";

/** The flags of `streamgate sync agents` as commander hands them over. */
export interface SyncAgentsFlags {
  config?: string;
  store?: string;
  upstream?: string;
  upstreamKey?: string;
  stream?: string[];
  minVersion?: string;
  maxVersion?: string;
  arch?: string[];
  os?: string[];
  legacyTools?: boolean;
  keep?: number;
  pin?: string[];
  mode?: "filtered" | "exact";
  allowUnsignedUpstream?: boolean;
  concurrency?: number;
  lockLease?: number;
  wait?: boolean;
  verifyExisting?: boolean;
  dryRun?: boolean;
  json?: boolean;
}

/** Config key → the flag that sets it, for messages. */
const FLAG_OF: Record<string, string> = {
  upstream: "--upstream",
  upstreamKey: "--upstream-key",
  mode: "--mode",
  streams: "--stream",
  minVersion: "--min-version",
  maxVersion: "--max-version",
  arches: "--arch",
  os: "--os",
  legacyTools: "--legacy-tools",
  keep: "--keep",
  pins: "--pin",
  allowUnsignedUpstream: "--allow-unsigned-upstream",
  concurrency: "--concurrency",
  lockLease: "--lock-lease",
};

/** The flags given, as `agents` config keys. */
function flagOverrides(flags: SyncAgentsFlags): Partial<AgentsJobConfig> {
  const overrides: Record<string, unknown> = {
    upstream: flags.upstream,
    upstreamKey: flags.upstreamKey,
    mode: flags.mode,
    streams: flags.stream,
    minVersion: flags.minVersion,
    maxVersion: flags.maxVersion,
    arches: flags.arch,
    os: flags.os,
    legacyTools: flags.legacyTools,
    keep: flags.keep,
    pins: flags.pin,
    allowUnsignedUpstream: flags.allowUnsignedUpstream,
    concurrency: flags.concurrency,
    lockLease: flags.lockLease,
  };
  return Object.fromEntries(
    Object.entries(overrides).filter(([, value]) => value !== undefined),
  ) as Partial<AgentsJobConfig>;
}

/**
 * The `agents` block with the flags applied on top (a missing block means defaults).
 * Exact mode mirrors whole streams: a filter flag with it is a usage error, and the
 * block's filters (defaults or not) do not apply.
 */
export function mergeAgentsConfig(
  base: AgentsJobConfig | undefined,
  flags: SyncAgentsFlags,
): AgentsJobConfig {
  const overrides = flagOverrides(flags);
  const mode = overrides.mode ?? base?.mode ?? "filtered";
  if (mode === "exact") {
    const filters = FILTERED_ONLY_AGENT_KEYS.filter((key) => overrides[key] !== undefined);
    if (filters.length > 0) {
      throw new UsageError(
        `${filters.map((key) => FLAG_OF[key]).join(", ")} cannot be used with --mode exact: exact mode serves upstream's signed files, which name every version of their streams, so only --stream (and --legacy-tools) may narrow it`,
      );
    }
    if (overrides.allowUnsignedUpstream === true) {
      throw new UsageError(
        "--allow-unsigned-upstream cannot be used with --mode exact: exact mode serves upstream's signed files",
      );
    }
  }
  const document: Record<string, unknown> = { ...(base ?? {}), ...overrides, mode };
  if (mode === "exact") {
    for (const key of FILTERED_ONLY_AGENT_KEYS) delete document[key];
    if (overrides.allowUnsignedUpstream === undefined) document.allowUnsignedUpstream = false;
  }
  try {
    const agents = parseConfig({ agents: document }, "the command line").agents;
    if (agents === undefined) throw new UsageError("no agents configuration");
    return agents;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const problems = error.problems.map((problem) => {
      const match = /^agents\.([A-Za-z]+)(.*)$/.exec(problem);
      const flag = match?.[1] === undefined ? undefined : FLAG_OF[match[1]];
      return flag === undefined || overrides[match?.[1] as keyof AgentsJobConfig] === undefined
        ? problem
        : `${flag}${match?.[2] ?? ""}`;
    });
    throw new UsageError(`invalid sync agents options:\n  - ${problems.join("\n  - ")}`);
  }
}

async function openUpstream(agents: AgentsJobConfig): Promise<Upstream> {
  try {
    return await openNodeAgentsUpstream(agents);
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^\[streamgate\] /, ""));
  }
}

function printReport(
  report: AgentsSyncReport,
  json: boolean,
  generation: number | undefined,
): void {
  if (json) {
    const document = generation === undefined ? report : { ...report, generation };
    process.stdout.write(`${JSON.stringify(document, null, 1)}\n`);
  }
  process.stderr.write(formatSyncSummary(report, generation));
}

/**
 * `streamgate sync agents`: one agents sync, through the job runner (so `/status` shows
 * CLI runs and a publish gets a generation and a stored report), or with `--dry-run`
 * straight through the planner, touching nothing. Exit 0 published or unchanged; 1 for a
 * failed or interrupted run; 2 for bad flags or configuration.
 */
export async function syncAgents(flags: SyncAgentsFlags): Promise<void> {
  const { config } = await loadConfig({
    ...(flags.config === undefined ? {} : { file: flags.config }),
    ...(flags.store === undefined ? {} : { store: flags.store }),
  });
  const agents = mergeAgentsConfig(config.agents, flags);
  const store = await openStore(config.store);
  const upstream = await openUpstream(agents);
  const json = flags.json === true;
  const owner = `streamgate sync agents on ${hostname()} (pid ${process.pid}, ${crypto.randomUUID().slice(0, 8)})`;
  const progress = createSyncProgress();
  const interrupt = new AbortController();
  const onSignal = () => interrupt.abort(new Error("interrupted"));
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  const common = {
    onProgress: progress.onProgress,
    verifyExisting: flags.verifyExisting === true,
    wait: flags.wait === true,
    owner,
  };
  let report: AgentsSyncReport | undefined;
  let failure: unknown;
  let generation: number | undefined;
  try {
    if (flags.dryRun === true) {
      report = await runAgentsSync({
        ...common,
        store,
        upstream,
        config: agents,
        signal: interrupt.signal,
        dryRun: true,
      }).catch((error: unknown) => {
        failure = error;
        return error instanceof AgentsSyncError ? error.report : undefined;
      });
    } else {
      const job = createAgentsJob({
        ...common,
        config: agents,
        openUpstream: async () => upstream,
        onReport: (finished) => {
          report = finished;
        },
      });
      const run = await runJob(
        {
          ...job,
          run: (context) =>
            job.run(context).catch((error: unknown) => {
              failure = error;
              throw error;
            }),
        },
        { store, signal: interrupt.signal },
      );
      generation = run.generation;
    }
  } finally {
    progress.stop();
    process.removeListener("SIGINT", onSignal);
    process.removeListener("SIGTERM", onSignal);
  }
  if (failure instanceof AgentsSyncConfigError) {
    throw new UsageError(failure.message.replace(/^\[streamgate\] /, ""));
  }
  if (report !== undefined) printReport(report, json, generation);
  if (failure instanceof AgentsSyncError && report !== undefined) {
    // The summary above already says why.
    throw new Error("agents sync failed; nothing was published", { cause: failure });
  }
  if (failure !== undefined) throw failure;
  if (report?.outcome === "incomplete") {
    throw new Error("the sync was interrupted before publishing; run it again to resume");
  }
}
