/**
 * The S3 store failing under a sync and under the server: Swift's proxy stopped mid-run,
 * then every S3 call answered 500, then 403 (injected by a loopback proxy in front of
 * Swift). Each time the `streamgate sync agents` child fails cleanly after the SDK's
 * retries (exit 1, a message naming the S3 operation), the served tree stays the last
 * good generation, `streamgate serve` over the same store answers 503 — never 404 —
 * while the store is away, and 200 again once it is back; the next sync completes.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeUpstream, type UpstreamFixture } from "../../scripts/make-upstream.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
import { createS3Store } from "../../src/store/s3.ts";
import { servedTreeProblems } from "../sync/check-served.ts";
import { fixtureKey } from "../sync/support.ts";
import { runStreamgate, type ServeChild, spawnStreamgate, startServe } from "./children.ts";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.ts";
import { reportFigures } from "./figures.ts";
import { servedGeneration } from "./served-state.ts";
import { type SlowUpstream, serveSlowUpstream } from "./slow-upstream.ts";
import { type SuiteContext, s3StoreUrl, suiteContext, workDir } from "./suite-context.ts";
import { SWIFT_REGION, startSwiftProxy, stopSwiftProxy } from "./swift.ts";

const PREFIX = "faults";
const ARCHES = ["amd64"];
const INDEX = "/juju/tools/streams/v1/index2.json";
/** Paths the server must answer 503 for while the store is away, whatever they hold. */
const PROBED = [
  INDEX,
  "/juju/tools/agent/3.6.9/juju-3.6.9-linux-amd64.tgz",
  "/juju/tools/streams/v1/mirrors.json",
];
const RECOVERY_POLLS = 100;
/** An S3 call named in the sync's summary, e.g. `PutObject failed for "juju/…": …`. */
const S3_CALL = `(?:PutObject|GetObject|HeadObject|ListObjectsV2|DeleteObjects|UploadPart|CreateMultipartUpload) failed for "[^"]+"`;

let context: SuiteContext;
let dir: string;
let keyFile: string;
let fixture: UpstreamFixture;
let upstream: SlowUpstream;
let proxy: FaultProxy;
let direct: ObjectStore;
let served: ServeChild;
let swiftStopped = false;
const figures: string[] = [];

async function publishUpstream(versions: string[]): Promise<void> {
  fixture = await makeUpstream({
    out: join(dir, "upstream", "juju", "tools"),
    signingKey: await fixtureKey(),
    versions,
    arches: ARCHES,
    tarballSize: 256 * 1024,
  });
  upstream?.track(fixture);
}

function syncArgs(extra: string[] = []): string[] {
  return [
    "sync",
    "agents",
    "--upstream",
    upstream.base,
    "--upstream-key",
    keyFile,
    "--store",
    s3StoreUrl(context, PREFIX, proxy.endpoint),
    "--min-version",
    "3.5",
    "--keep",
    "9",
    "--lock-lease",
    "5",
    ...extra,
  ];
}

async function statuses(): Promise<number[]> {
  return Promise.all(
    [...PROBED, "/readyz"].map(async (path) => {
      const response = await fetch(`${served.url}${path}`);
      await response.body?.cancel();
      return response.status;
    }),
  );
}

/** Polls until the server answers the index 200 again; returns the number of polls. */
async function recovery(): Promise<number> {
  for (let poll = 1; poll <= RECOVERY_POLLS; poll++) {
    const response = await fetch(`${served.url}${INDEX}`);
    await response.body?.cancel();
    if (response.status === 200) return poll;
    expect(response.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the server did not answer 200 within ${RECOVERY_POLLS} polls`);
}

/**
 * Runs a sync that adds `version` (one not mirrored before, so it has a tarball to copy), calls `fault` once its first tarball is on the way,
 * and checks the clean failure, the untouched tree and the 503s; `heal` ends the fault.
 */
async function faultedRun(
  name: string,
  version: string,
  fault: () => Promise<void> | void,
  heal: () => Promise<void> | void,
  message: RegExp,
): Promise<void> {
  const before = await servedGeneration(direct, "streams/v1/index2.json");
  const injectedBefore = proxy.counts.injected;
  await publishUpstream(["3.5.5", "3.6.9", version]);
  const started = Date.now();
  const child = spawnStreamgate(context, syncArgs(), { label: `faults-${name}`, cwd: dir });
  let faulted: Promise<void> | undefined;
  const stop = upstream.onEvent((event) => {
    if (event.kind === "tarball-bytes" && faulted === undefined) faulted = Promise.resolve(fault());
  });
  const result = await child.exited;
  stop();
  await faulted;
  const seconds = (Date.now() - started) / 1000;
  try {
    expect(faulted, "the fault was injected").toBeDefined();
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).toMatch(/nothing was published/);
    const during = await statuses();
    expect(during).toEqual([503, 503, 503, 503]);
    const injected = proxy.counts.injected - injectedBefore;
    await heal();
    const polls = await recovery();
    expect((await statuses()).slice(0, 2)).toEqual([200, 200]);
    expect(await servedGeneration(direct, "streams/v1/index2.json")).toBe(before);
    expect(await servedTreeProblems(direct)).toEqual([]);
    const next = await runStreamgate(context, syncArgs(["--wait", "--json"]), {
      label: `faults-${name}-next`,
      cwd: dir,
    });
    expect(next.code, next.stderr).toBe(0);
    expect(JSON.parse(next.stdout).outcome).toBe("published");
    expect(await servedTreeProblems(direct)).toEqual([]);
    figures.push(
      `${name}: sync exit 1 after ${seconds.toFixed(1)} s, server ${during.join("/")} meanwhile${injected > 0 ? ` (${injected} error answers injected, to the sync's and the server's retries)` : ""}, 200 again after ${polls} poll(s), next sync published`,
    );
  } finally {
    await heal();
  }
}

beforeAll(async () => {
  context = suiteContext();
  dir = join(workDir(context), "store-faults");
  await mkdir(dir, { recursive: true });
  keyFile = join(dir, "upstream-key.asc");
  await publishUpstream(["3.5.5", "3.6.9"]);
  await writeFile(keyFile, fixture.publicKey);
  upstream = await serveSlowUpstream(fixture, { chunkBytes: 16 * 1024, delayMs: 10 });
  proxy = await startFaultProxy(context.swift.endpoint);
  direct = await createS3Store({
    bucket: context.bucket,
    prefix: `${PREFIX}/`,
    endpoint: context.swift.endpoint,
    region: SWIFT_REGION,
    forcePathStyle: true,
    credentials: context.swift.credentials,
    conditionalWrites: false,
  });
  const first = await runStreamgate(context, syncArgs(), { label: "faults-first", cwd: dir });
  expect(first.code, first.stderr).toBe(0);
  await writeFile(join(dir, "streamgate.yaml"), "listen: {host: 127.0.0.1}\n");
  served = await startServe(
    context,
    [
      "--config",
      join(dir, "streamgate.yaml"),
      "--store",
      s3StoreUrl(context, PREFIX, proxy.endpoint),
    ],
    { label: "faults-serve", cwd: dir },
  );
  expect((await statuses()).slice(0, 2)).toEqual([200, 200]);
});

afterAll(async () => {
  if (swiftStopped) await startSwiftProxy(context.swift);
  const stopped = await served?.stop();
  await upstream?.close();
  await proxy?.close();
  expect(stopped?.code).toBe(0);
});

describe("the S3 store failing under a sync and the server", () => {
  it("Swift stopped mid-run: exit 1, 503 while down, 200 once back", async () => {
    await faultedRun(
      "swift-stopped",
      "3.6.0",
      async () => {
        swiftStopped = true;
        await stopSwiftProxy(context.swift);
      },
      async () => {
        if (!swiftStopped) return;
        swiftStopped = false;
        await startSwiftProxy(context.swift);
      },
      new RegExp(`${S3_CALL}: .*(?:socket hang up|ECONNRESET|ECONNREFUSED)`),
    );
  });

  it("every S3 call answered 500: exit 1 after retries, 503 meanwhile, 200 once healed", async () => {
    await faultedRun(
      "s3-500",
      "3.5.4",
      () => proxy.fail(500),
      () => proxy.fail(undefined),
      new RegExp(`${S3_CALL}: InternalError \\(HTTP 500\\)`),
    );
  });

  it("every S3 call answered 403: exit 1, 503 (never 403 or 404) meanwhile, 200 once healed", async () => {
    await faultedRun(
      "s3-403",
      "3.5.3",
      () => proxy.fail(403),
      () => proxy.fail(undefined),
      new RegExp(`${S3_CALL}: AccessDenied \\(HTTP 403\\)`),
    );
    reportFigures("store-faults", figures.join("; "));
    expect(figures).toHaveLength(3);
  });
});
