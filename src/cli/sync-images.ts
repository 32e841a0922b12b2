import { hostname } from "node:os";
import { loadConfig } from "../config/load-config.ts";
import { ImageSourceError, ImagesInputError } from "../images/images-errors.ts";
import type { ImagesJobResult } from "../images/images-job.ts";
import type { ImagesReport } from "../images/images-report.ts";
import { openNodeImageSource, readSigningKeyFile } from "../images/node-images.ts";
import {
  DEFAULT_CONTENT_ID,
  DEFAULT_KEEP_GENERATIONS,
  type ImagesSyncResult,
  type RunImagesSyncOptions,
  runImagesSync,
} from "../images/sync-images.ts";
import type { Job } from "../scheduler/job.ts";
import { runJob } from "../scheduler/run-job.ts";
import { UnusableKeyError } from "../signing/errors.ts";
import { openStore } from "../store/open-store.ts";
import { UsageError } from "./usage-error.ts";

/** Flags of `streamgate sync images` (DESIGN.md §6). */
export interface SyncImagesFlags {
  config?: string;
  store?: string;
  from?: string;
  osCloud?: string;
  endpoint?: string;
  cloud?: string;
  signingKey?: string;
  dryRun?: boolean;
  json?: boolean;
}

export interface SyncImagesIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

const processIo: SyncImagesIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  env: process.env,
  cwd: process.cwd(),
};

/** Bad input (exit 2) stays bad input; everything else is a failure (exit 1). */
function asCliError(error: unknown): unknown {
  if (error instanceof ImagesInputError || error instanceof UnusableKeyError) {
    return new UsageError(error.message.replace(/^\[streamgate\] /, ""));
  }
  return error;
}

function summarise(report: ImagesReport, generation: number | undefined): string {
  const lines = [`images: cloud ${report.cloud} from ${report.source}`];
  for (const region of report.regions) {
    const drift = `+${region.added.length} -${region.removed.length} ~${region.changed.length}`;
    const state =
      region.status === "failed"
        ? `FAILED (${region.error}), kept ${region.published} previous image id(s)`
        : region.status === "gone"
          ? `no longer in the catalog, ${region.removed.length} image id(s) removed`
          : `${region.published} image id(s) of ${region.listed} listed (${drift})`;
    const extra = [
      region.unmapped.length > 0 ? `${region.unmapped.length} unmapped` : "",
      region.superseded.length > 0 ? `${region.superseded.length} superseded` : "",
    ].filter(Boolean);
    lines.push(`  ${region.region}: ${state}${extra.length > 0 ? `; ${extra.join(", ")}` : ""}`);
    for (const image of region.unmapped) {
      lines.push(
        `    unmapped ${image.id}${image.name ? ` (${image.name})` : ""}: ${image.reason}`,
      );
    }
  }
  const writes = report.files.filter((file) => file.action === "write").length;
  const deletes = report.files.length - writes;
  if (report.dryRun) {
    lines.push(`dry run: would write ${writes} and delete ${deletes} file(s); nothing changed`);
    for (const file of report.files) lines.push(`  ${file.action} ${file.key}`);
  } else if (report.published) {
    const at = generation === undefined ? "" : ` generation ${generation}`;
    const version = report.versionKey === undefined ? "" : ` (version ${report.versionKey})`;
    lines.push(`published${at}${version}: ${writes} file(s) written, ${deletes} deleted`);
  } else {
    lines.push("unchanged: nothing published");
  }
  for (const warning of report.warnings) lines.push(`warning: ${warning}`);
  return `${lines.join("\n")}\n`;
}

/**
 * `streamgate sync images`: one image-ids sync with the configuration's `images` block,
 * flags winning. A real run goes through the job runner, so the store's job state (and
 * `/status`) records it and its generation; `--dry-run` writes nothing at all.
 */
export async function syncImages(flags: SyncImagesFlags, io: SyncImagesIo = processIo) {
  try {
    await run(flags, io);
  } catch (error) {
    const failure = asCliError(error);
    if (flags.json === true) {
      const message = failure instanceof Error ? failure.message : String(failure);
      io.stdout(`${JSON.stringify({ ok: false, error: message }, null, 2)}\n`);
    }
    throw failure;
  }
}

async function run(flags: SyncImagesFlags, io: SyncImagesIo): Promise<void> {
  if (flags.endpoint !== undefined && !/^https?:\/\/\S+$/i.test(flags.endpoint)) {
    throw new UsageError(
      `\`--endpoint\` expects an http:// or https:// URL, got ${flags.endpoint}`,
    );
  }
  const { config } = await loadConfig({
    ...(flags.config === undefined ? {} : { file: flags.config }),
    ...(flags.store === undefined ? {} : { store: flags.store }),
    env: io.env as NodeJS.ProcessEnv,
    cwd: io.cwd,
  });
  const images = config.images;
  const keyPath = flags.signingKey ?? images?.signingKey;
  const envKey = io.env.STREAMGATE_SIGNING_KEY;
  const signingKey =
    keyPath !== undefined
      ? await readSigningKeyFile(keyPath, io.cwd)
      : envKey !== undefined && envKey.trim() !== ""
        ? envKey
        : undefined;
  const osCloud = flags.osCloud ?? images?.osCloud;
  const source = await openNodeImageSource({
    from: flags.from ?? images?.from ?? "openstack",
    ...(osCloud === undefined ? {} : { osCloud }),
    ...(images?.interface === undefined ? {} : { interface: images.interface }),
    env: io.env,
    cwd: io.cwd,
  });
  const cloud = flags.cloud ?? images?.cloud;
  const endpoint = flags.endpoint ?? images?.endpoint;
  const store = await openStore(config.store, { cwd: io.cwd });
  const options: RunImagesSyncOptions = {
    store,
    source,
    ...(cloud === undefined ? {} : { cloud }),
    ...(endpoint === undefined ? {} : { endpoint }),
    regionEndpoints: images?.regionEndpoints ?? {},
    contentId: images?.contentId ?? DEFAULT_CONTENT_ID,
    keepGenerations: images?.keepGenerations ?? DEFAULT_KEEP_GENERATIONS,
    overrides: images?.overrides ?? [],
    ...(signingKey === undefined ? {} : { signingKey }),
    dryRun: flags.dryRun === true,
    // An operator's run waits for the scheduler's (seconds) rather than failing.
    lock: {
      owner: `streamgate sync images on ${hostname()} (pid ${process.pid}, ${crypto.randomUUID().slice(0, 8)})`,
      wait: true,
    },
  };

  let result: ImagesSyncResult;
  let generation: number | undefined;
  if (flags.dryRun === true) {
    result = await runImagesSync(options);
  } else {
    let outcome: ImagesSyncResult | undefined;
    let failure: unknown;
    const job: Job = {
      name: "images",
      cron: images?.cron ?? "*/30 * * * *",
      runOnStart: false,
      run: async function runImagesOnce(context): Promise<ImagesJobResult> {
        try {
          outcome = await runImagesSync({ ...options, signal: context.signal });
        } catch (error) {
          failure = error;
          throw error;
        }
        const { report, counts } = outcome;
        return { counts, published: report.published, warnings: report.warnings, report };
      },
    };
    const jobRun = await runJob(job, { store });
    if (failure !== undefined) throw failure;
    if (outcome === undefined) {
      throw new ImageSourceError(
        "images",
        jobRun.errors.join("; ") || "the images job did not run",
      );
    }
    result = outcome;
    generation = jobRun.generation;
  }
  const { report, counts } = result;
  if (flags.json === true) {
    const document = {
      ok: true,
      ...report,
      counts,
      ...(generation === undefined ? {} : { generation }),
    };
    io.stdout(`${JSON.stringify(document, null, 2)}\n`);
  } else {
    io.stderr(summarise(report, generation));
  }
}
