import cliProgress from "cli-progress";
import type { BundleProgress } from "../bundle/export-bundle.ts";

export interface BundleProgressBar {
  update(progress: BundleProgress): void;
  stop(): void;
}

/** A byte-count bar on stderr; cli-progress draws nothing when stderr is not a terminal. */
export function createBundleProgressBar(label: string): BundleProgressBar {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {percentage}% | {objects} objects | {key}`,
      stream: process.stderr,
      clearOnComplete: true,
      hideCursor: null,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(progress: BundleProgress) {
      const payload = {
        objects: `${progress.objectsDone}/${progress.objectsTotal}`,
        key: progress.key,
      };
      if (!started) {
        started = true;
        bar.start(progress.bytesTotal, progress.bytesDone, payload);
      } else {
        bar.update(progress.bytesDone, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
