import type { JobName, RunOutcome } from "../scheduler/job-state.ts";

/** How a sync run ended, as the job runner reports it (`JobRun.outcome`). */
export type SyncOutcome = RunOutcome;

/**
 * Process-wide (Node) or isolate-wide (Workers) counters. Create one with
 * `createMetrics()`, hand it to `createApp` (which counts every request) and to the job
 * runner (which calls `recordSync`). Counters live in memory: they restart at zero with
 * the process, as Prometheus counters may. On Workers each isolate counts its own share,
 * so `/metrics` there is a sample, not a total.
 */
export interface Metrics {
  /** Counts one answered request. */
  recordRequest(status: number): void;
  /** Adds bytes of tree objects served (declared length, or gzip output as it streams). */
  recordBytes(bodyBytes: number): void;
  recordSync(job: JobName, outcome: SyncOutcome, durationMs: number): void;
  /** Prometheus text exposition format 0.0.4. */
  render(): string;
}

export interface MetricsOptions {
  /** Clock for `streamgate_sync_last_success_timestamp_seconds`; defaults to `Date.now`. */
  now?: () => number;
}

/** The `Content-Type` of the text exposition format. */
export const METRICS_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

interface SyncCounters {
  runs: Map<SyncOutcome, number>;
  durationSum: number;
  durationCount: number;
  lastSuccess?: number;
}

// Prometheus text format: numbers are Go floats; integers print plainly.
function sample(name: string, labels: string, value: number): string {
  return `${name}${labels === "" ? "" : `{${labels}}`} ${Number.isFinite(value) ? value : 0}\n`;
}

function header(name: string, type: string, help: string): string {
  return `# HELP ${name} ${help}\n# TYPE ${name} ${type}\n`;
}

export function createMetrics(options: MetricsOptions = {}): Metrics {
  const now = options.now ?? Date.now;
  const requests = new Map<number, number>();
  let bytes = 0;
  const syncs = new Map<JobName, SyncCounters>();

  function countersFor(job: JobName): SyncCounters {
    let counters = syncs.get(job);
    if (counters === undefined) {
      counters = { runs: new Map(), durationSum: 0, durationCount: 0 };
      syncs.set(job, counters);
    }
    return counters;
  }

  return {
    recordRequest(status) {
      requests.set(status, (requests.get(status) ?? 0) + 1);
    },
    recordBytes(bodyBytes) {
      bytes += bodyBytes;
    },
    recordSync(job, outcome, durationMs) {
      const counters = countersFor(job);
      counters.runs.set(outcome, (counters.runs.get(outcome) ?? 0) + 1);
      counters.durationSum += Math.max(0, durationMs) / 1000;
      counters.durationCount += 1;
      if (outcome === "ok") counters.lastSuccess = now() / 1000;
    },
    render: function renderMetrics() {
      let text = header(
        "streamgate_http_requests_total",
        "counter",
        "HTTP requests answered, by status code.",
      );
      for (const [status, count] of [...requests].sort((a, b) => a[0] - b[0])) {
        text += sample("streamgate_http_requests_total", `code="${status}"`, count);
      }
      text += header(
        "streamgate_http_response_bytes_total",
        "counter",
        "Bytes of tree objects served: declared length, gzip output as produced.",
      );
      text += sample("streamgate_http_response_bytes_total", "", bytes);

      const jobs = [...syncs].sort((a, b) => a[0].localeCompare(b[0]));
      text += header("streamgate_sync_runs_total", "counter", "Finished sync runs, by outcome.");
      for (const [job, counters] of jobs) {
        // ok and failed always appear, so a rate() over them starts from a known zero.
        const outcomes = new Set<SyncOutcome>(["ok", "failed", ...counters.runs.keys()]);
        for (const outcome of outcomes) {
          const labels = `job="${job}",outcome="${outcome}"`;
          text += sample("streamgate_sync_runs_total", labels, counters.runs.get(outcome) ?? 0);
        }
      }
      text += header(
        "streamgate_sync_duration_seconds",
        "summary",
        "Duration of finished sync runs.",
      );
      for (const [job, counters] of jobs) {
        text += sample(
          "streamgate_sync_duration_seconds_sum",
          `job="${job}"`,
          counters.durationSum,
        );
        text += sample(
          "streamgate_sync_duration_seconds_count",
          `job="${job}"`,
          counters.durationCount,
        );
      }
      text += header(
        "streamgate_sync_last_success_timestamp_seconds",
        "gauge",
        "When the last successful sync run finished (Unix time).",
      );
      for (const [job, counters] of jobs) {
        if (counters.lastSuccess === undefined) continue;
        text += sample(
          "streamgate_sync_last_success_timestamp_seconds",
          `job="${job}"`,
          counters.lastSuccess,
        );
      }
      return text;
    },
  };
}
