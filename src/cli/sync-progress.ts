import cliProgress from "cli-progress";
import type { AgentsSyncProgress } from "../sync/index.ts";
import { formatBytes } from "./format-bytes.ts";

export interface SyncProgressDisplay {
  onProgress: (progress: AgentsSyncProgress) => void;
  stop(): void;
}

/**
 * A progress bar on a terminal (files, bytes, rate, ETA while tarballs are copied or
 * verified); nothing at all when stderr is not a TTY, where only the final summary is
 * printed.
 */
export function createSyncProgress(
  stream: NodeJS.WriteStream = process.stderr,
): SyncProgressDisplay {
  if (!stream.isTTY) return { onProgress: () => {}, stop: () => {} };
  let bar: cliProgress.SingleBar | undefined;
  let phase: string | undefined;
  let started = 0;
  const payload = (progress: AgentsSyncProgress) => {
    const seconds = Math.max((Date.now() - started) / 1000, 0.001);
    return {
      files: `${progress.files.done}/${progress.files.total}`,
      done: formatBytes(progress.bytes.done),
      size: formatBytes(progress.bytes.total),
      rate: formatBytes(progress.bytes.done / seconds),
    };
  };
  const stop = () => {
    bar?.stop();
    bar = undefined;
  };
  return {
    onProgress(progress) {
      const transfers = progress.phase === "copy" || progress.phase === "verify";
      if (!transfers) {
        stop();
        return;
      }
      if (bar === undefined || phase !== progress.phase) {
        stop();
        phase = progress.phase;
        started = Date.now();
        bar = new cliProgress.SingleBar(
          {
            stream,
            format: `${progress.phase === "copy" ? "copying  " : "verifying"} [{bar}] {percentage}% | {files} files | {done}/{size} | {rate}/s | ETA {eta_formatted}`,
            hideCursor: true,
            clearOnComplete: false,
          },
          cliProgress.Presets.shades_classic,
        );
        bar.start(Math.max(progress.bytes.total, 1), 0, payload(progress));
      }
      bar.update(progress.bytes.done, payload(progress));
    },
    stop,
  };
}
