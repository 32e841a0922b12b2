/**
 * The Worker of `npm run bench:serve`: src/worker.ts bundled by wrangler exactly as
 * `wrangler deploy` would upload it, run by workerd through Miniflare, its R2 binding
 * (`MIRROR`, Miniflare's local R2 simulator) filled with the bench objects first. Offline:
 * the dry run needs no account and no network.
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { Miniflare } from "miniflare";
import { childrenOf } from "./serve-cpu.ts";
import type { BenchObject } from "./serve-tree.ts";

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, "../..");
const WRANGLER = join(REPO, "node_modules/wrangler/bin/wrangler.js");

/** Keeps wrangler from phoning home; the dry run needs nothing else. */
export const OFFLINE_WRANGLER_ENV = {
  WRANGLER_SEND_METRICS: "false",
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
} as const;

export interface WorkerBundle {
  path: string;
  bytes: number;
  /** Size once gzipped, as the upload limits of Workers count it. */
  gzipBytes: number;
}

/** `wrangler deploy --dry-run` of the top-level (dev) stage into `outDir`. */
export async function bundleWorker(outDir: string): Promise<WorkerBundle> {
  await run(process.execPath, [WRANGLER, "deploy", "--dry-run", "--env", "", "--outdir", outDir], {
    cwd: REPO,
    env: { ...process.env, ...OFFLINE_WRANGLER_ENV },
    maxBuffer: 16 * 1024 * 1024,
  });
  const path = join(outDir, "worker.js");
  const code = await readFile(path);
  return { path, bytes: code.byteLength, gzipBytes: gzipSync(code).byteLength };
}

/** wrangler.toml's `compatibility_date`, so workerd runs the Worker as deployed. */
async function compatibilityDate(): Promise<string> {
  const toml = await readFile(join(REPO, "wrangler.toml"), "utf8");
  const match = /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml);
  if (match?.[1] === undefined)
    throw new Error("[streamgate] [bench] no compatibility_date in wrangler.toml");
  return match[1];
}

export interface RunningWorker {
  url: string;
  /** workerd's process, for CPU accounting. */
  pids(): number[];
  stop(): Promise<void>;
}

export async function startWorker(
  bundle: WorkerBundle,
  objects: readonly BenchObject[],
): Promise<RunningWorker> {
  const miniflare = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    logRequests: false,
    workers: [
      {
        config: {
          name: "streamgate",
          compatibilityDate: await compatibilityDate(),
          manifest: {
            mainModule: "worker.js",
            modules: {
              "worker.js": { type: "esm", contents: await readFile(bundle.path, "utf8") },
            },
          },
          env: { MIRROR: { type: "r2", name: "streamgate-bench" } },
        },
      },
    ],
  });
  try {
    const url = await miniflare.ready;
    const bucket = await miniflare.getR2Bucket("MIRROR");
    for (const { key, body, contentType } of objects) {
      // As the R2 store writes them: the sha256 rides along as custom metadata.
      const sha256 = createHash("sha256").update(body).digest("hex");
      await bucket.put(key, body, { httpMetadata: { contentType }, customMetadata: { sha256 } });
    }
    const pids = childrenOf(process.pid, "workerd");
    return { url: url.origin, pids: () => pids, stop: () => miniflare.dispose() };
  } catch (error) {
    await miniflare.dispose();
    throw error;
  }
}
