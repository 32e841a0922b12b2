/**
 * The Worker exactly as `wrangler deploy` would upload it, built by a dry run: offline,
 * no account needed. It must not pull in Node built-ins (the Worker runs without
 * `nodejs_compat`) nor the AWS SDK, which only the Node entry's S3 store uses. The same
 * bundle then runs in workerd (Miniflare, local R2) to check what only a real Workers
 * runtime does to responses: it compresses bodies itself unless told they already are.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { request } from "node:http";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { gunzipSync, gzipSync } from "node:zlib";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const run = promisify(execFile);
const REPO = resolve(import.meta.dirname, "..");
const WRANGLER = join(REPO, "node_modules/wrangler/bin/wrangler.js");

let outDir = "";
let bundle = "";

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), "streamgate-worker-bundle-"));
  await run(process.execPath, [WRANGLER, "deploy", "--dry-run", "--env", "", "--outdir", outDir], {
    cwd: REPO,
    env: { ...process.env, WRANGLER_SEND_METRICS: "false", CLOUDFLARE_CF_FETCH_ENABLED: "false" },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 90_000,
  });
  bundle = await readFile(join(outDir, "worker.js"), "utf8");
}, 120_000);

afterAll(async () => {
  await miniflare?.dispose();
  if (outDir !== "") await rm(outDir, { recursive: true, force: true });
});

const INDEX_KEY = "juju/tools/streams/v1/index2.json";
const INDEX = `${JSON.stringify({ format: "index:1.0", index: {}, updated: "now" }, null, 1)}\n`;
const TARBALL_KEY = "juju/tools/agent/3.6.1/juju-3.6.1-ubuntu-amd64.tgz";
const TARBALL = new Uint8Array(4096).map((_, i) => (i * 31) % 256);
TARBALL.set([0x1f, 0x8b, 0x08], 0);

let miniflare: Miniflare | undefined;
let workerUrl = "";

/** The Worker from the bundle above, its R2 bucket holding an index and a tarball. */
async function startWorker(): Promise<string> {
  if (workerUrl !== "") return workerUrl;
  const toml = await readFile(join(REPO, "wrangler.toml"), "utf8");
  miniflare = new Miniflare({
    host: "127.0.0.1",
    port: 0,
    logRequests: false,
    workers: [
      {
        config: {
          name: "streamgate",
          compatibilityDate: /^compatibility_date\s*=\s*"([^"]+)"/m.exec(toml)?.[1] ?? "",
          manifest: {
            mainModule: "worker.js",
            modules: { "worker.js": { type: "esm", contents: bundle } },
          },
          env: { MIRROR: { type: "r2", name: "streamgate-bundle-test" } },
        },
      },
    ],
  });
  const url = await miniflare.ready;
  const bucket = await miniflare.getR2Bucket("MIRROR");
  await bucket.put(INDEX_KEY, INDEX);
  await bucket.put(TARBALL_KEY, TARBALL);
  workerUrl = url.origin;
  return workerUrl;
}

/** Bytes as they came over the wire: no client-side decoding. */
function rawGet(url: string, acceptEncoding: string): Promise<{ encoding?: string; body: Buffer }> {
  return new Promise((done, fail) => {
    request(url, { headers: { "accept-encoding": acceptEncoding } }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () => {
        const encoding = response.headers["content-encoding"];
        done({ ...(encoding === undefined ? {} : { encoding }), body: Buffer.concat(chunks) });
      });
      response.on("error", fail);
    })
      .on("error", fail)
      .end();
  });
}

/** Every `import … from "x"`, `import("x")` and `require("x")` specifier in the bundle. */
function importedSpecifiers(code: string): string[] {
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*|\brequire\s*\(\s*)["']([^"']+)["']/g;
  return [...code.matchAll(pattern)].map((match) => match[1] ?? "");
}

describe("Worker bundle (wrangler deploy --dry-run)", () => {
  it("builds offline into one module, and says how big it is", async () => {
    const { size } = await stat(join(outDir, "worker.js"));
    const gzipped = gzipSync(bundle).byteLength;
    console.log(
      `Worker bundle: ${size} bytes (${(size / 1024).toFixed(0)} KiB), ${gzipped} bytes gzipped`,
    );
    expect(size).toBeGreaterThan(0);
    expect(bundle).toMatch(/export\s*\{[^}]*\bdefault\b/);
  });

  it("imports no Node built-in, with or without the node: prefix", () => {
    const builtins = new Set(builtinModules);
    const offending = importedSpecifiers(bundle).filter(
      (specifier) => specifier.startsWith("node:") || builtins.has(specifier.split("/")[0] ?? ""),
    );
    expect(offending).toEqual([]);
  });

  it("contains no AWS SDK code", () => {
    expect(bundle).not.toMatch(/node_modules\/@(aws-sdk|smithy)\//);
    expect(bundle).not.toMatch(/\bS3Client\b|\bPutObjectCommand\b/);
  });

  it("still carries the code it needs: the app, the R2 store and the scheduled handler", () => {
    expect(bundle).toMatch(/\/\/ src\/http\/app\.ts/);
    expect(bundle).toMatch(/\/\/ src\/store\/r2\.ts/);
    expect(bundle).toMatch(/\bscheduled\b/);
  });

  it("serves JSON gzip-encoded exactly once, and as it is to a client without gzip", async () => {
    const url = `${await startWorker()}/${INDEX_KEY}`;
    const gzip = await rawGet(url, "gzip");
    expect(gzip.encoding).toBe("gzip");
    expect(gunzipSync(gzip.body).toString()).toBe(INDEX);
    const identity = await rawGet(url, "identity");
    expect(identity.encoding).toBeUndefined();
    expect(identity.body.toString()).toBe(INDEX);
  }, 60_000);

  it("serves a tarball byte for byte, never encoded", async () => {
    const tarball = await rawGet(`${await startWorker()}/${TARBALL_KEY}`, "gzip");
    expect(tarball.encoding).toBeUndefined();
    expect(new Uint8Array(tarball.body)).toEqual(TARBALL);
  }, 60_000);
});
