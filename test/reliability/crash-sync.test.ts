/**
 * A sync killed with SIGKILL at a random moment — while it reads upstream, mid-download,
 * while product files are placed, right before an index switch, during garbage collection —
 * leaves a served tree that satisfies the publish invariant (DESIGN.md §4) and is one good
 * generation (the one before or the one after), and the next sync takes the dead run's
 * lock over once its lease ran out and completes. Real processes: `streamgate sync agents`
 * children against a paced loopback upstream, on the fs store and on Swift's s3api.
 * The in-process kill at every single write is test/sync/crash.test.ts.
 */
import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { makeUpstream, type UpstreamFixture } from "../../scripts/make-upstream.ts";
import { createFsStore } from "../../src/store/fs.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
import { createS3Store } from "../../src/store/s3.ts";
import { servedTreeProblems } from "../sync/check-served.ts";
import { fixtureKey } from "../sync/support.ts";
import { runStreamgate, type StreamgateChild, spawnStreamgate } from "./children.ts";
import { type FaultProxy, startFaultProxy } from "./fault-proxy.ts";
import { reportFigures } from "./figures.ts";
import { createPrng, type Prng } from "./prng.ts";
import { namedTarballKeys, servedGeneration, storedTarballKeys } from "./served-state.ts";
import { type SlowUpstream, serveSlowUpstream } from "./slow-upstream.ts";
import { type SuiteContext, s3StoreUrl, suiteContext, workDir } from "./suite-context.ts";
import { SWIFT_REGION } from "./swift.ts";

const HOOK = join(import.meta.dirname, "kill-point-hook.ts");
/** Released-only versions, so exact mode mirrors every product file its index names. */
const POOL = ["3.4.6", "3.5.3", "3.5.4", "3.5.5", "3.6.0", "3.6.9"];
const ARCHES = ["amd64", "arm64"];
const TARBALL_SIZE = 256 * 1024;
const LEASE_SECONDS = 5;
const TARGETS = ["read", "download", "products", "index", "gc"] as const;
const RELEASED = "com.ubuntu.juju:released:agents";
const RUN_LIMIT_MS = 60_000;

type Target = (typeof TARGETS)[number];
type Mode = "filtered" | "exact";

/** The write a kill lands right before. */
interface Hold {
  op: "put" | "delete";
  pattern: RegExp;
  nth: number;
}

interface Armed {
  env: Record<string, string>;
  preload: string[];
  /** Resolves with the held write once the child reached it. */
  reached(child: StreamgateChild): Promise<string>;
  cancel(): void;
}

interface LaneStore {
  url: string;
  /** The same store, opened by the test (for S3: straight to Swift). */
  store: ObjectStore;
  arm(hold: Hold): Armed;
  close(): Promise<void>;
}

interface StoreKind {
  name: "fs" | "s3";
  lanes: number;
  runsPerLane: number;
  openLane(context: SuiteContext, lane: number, dir: string): Promise<LaneStore>;
}

/** Both views (unsigned and signed index) as before the run, as after it, or one of each. */
type Generation = "old" | "new" | "mixed" | "neither";

interface RunOutcome {
  target: Target;
  mode: Mode;
  killedAt: string | undefined;
  signal: NodeJS.Signals | null;
  problems: string[];
  generation: Generation;
  recoveryCode: number | null;
  recoveryStderr: string;
  tookOver: boolean;
  waitedMs: number;
  problemsAfter: string[];
  orphans: string[];
  missing: string[];
}

function holdFor(target: Target, mode: Mode, prng: Prng): Hold | undefined {
  switch (target) {
    case "products":
      return { op: "put", pattern: /^juju\/tools\/streams\/v1\/com\.ubuntu\.juju-/, nth: 1 };
    case "index":
      // Exact mode switches several index files one by one: also kill between two of them.
      return {
        op: "put",
        pattern: /^juju\/tools\/streams\/v1\/index/,
        nth: mode === "exact" ? prng.int(1, 2) : 1,
      };
    case "gc":
      return { op: "delete", pattern: /^juju\/tools\/agent\//, nth: 1 };
    default:
      return undefined;
  }
}

const FS: StoreKind = {
  name: "fs",
  lanes: 5,
  runsPerLane: 4,
  async openLane(_context, _lane, dir) {
    const root = join(dir, "store");
    return {
      url: `file:${root}`,
      store: createFsStore({ root }),
      arm(hold) {
        return {
          env: {
            RELIABILITY_STORE_ROOT: root,
            RELIABILITY_HOLD: JSON.stringify({ ...hold, pattern: hold.pattern.source }),
          },
          preload: [HOOK],
          reached: (child) =>
            new Promise((resolve) =>
              child.onLine((line) => {
                if (line.startsWith("hold ")) resolve(line.slice(5));
              }),
            ),
          cancel: () => undefined,
        };
      },
      close: async () => undefined,
    };
  },
};

const S3: StoreKind = {
  name: "s3",
  lanes: 5,
  runsPerLane: 2,
  async openLane(context, lane) {
    const prefix = `crash-${lane}/`;
    const proxy: FaultProxy = await startFaultProxy(context.swift.endpoint);
    const store = await createS3Store({
      bucket: context.bucket,
      prefix,
      endpoint: context.swift.endpoint,
      region: SWIFT_REGION,
      forcePathStyle: true,
      credentials: context.swift.credentials,
      conditionalWrites: false,
    });
    return {
      url: s3StoreUrl(context, prefix.slice(0, -1), proxy.endpoint),
      store,
      arm(hold) {
        let seen = 0;
        const held = proxy.hold((request) => {
          const key = request.key?.startsWith(prefix) ? request.key.slice(prefix.length) : "";
          const matches =
            hold.op === "put"
              ? request.method === "PUT" && hold.pattern.test(key)
              : request.method === "POST" &&
                request.body.includes(`<Key>${prefix}juju/tools/agent/`);
          return matches && ++seen === hold.nth;
        });
        return {
          env: {},
          preload: [],
          reached: () =>
            held.then((request) => `${request.method === "PUT" ? "put" : "delete"} ${request.key}`),
          cancel: () => proxy.cancelHolds(),
        };
      },
      close: () => proxy.close(),
    };
  },
};

/** Each target equally often, in a seeded random order. */
function targetsFor(count: number, prng: Prng): Target[] {
  return prng.shuffle(
    Array.from({ length: count }, (_, index) => TARGETS[index % TARGETS.length] as Target),
  );
}

interface Lane {
  dir: string;
  mode: Mode;
  upstream: SlowUpstream;
  fixture: UpstreamFixture;
  versions: string[];
  keyFile: string;
  configFile: string;
  laneStore: LaneStore;
}

async function writeFixture(dir: string, versions: string[]): Promise<UpstreamFixture> {
  return makeUpstream({
    out: join(dir, "upstream", "juju", "tools"),
    signingKey: await fixtureKey(),
    versions,
    arches: ARCHES,
    tarballSize: TARBALL_SIZE,
  });
}

function syncArgs(lane: Lane, mode: Mode): string[] {
  const filters =
    mode === "exact"
      ? ["--mode", "exact"]
      : ["--min-version", "3.4", "--keep", "9", "--arch", ARCHES.join(",")];
  return [
    "sync",
    "agents",
    "--config",
    lane.configFile,
    "--upstream",
    lane.upstream.base,
    "--upstream-key",
    lane.keyFile,
    "--store",
    lane.laneStore.url,
    "--lock-lease",
    String(LEASE_SECONDS),
    "--json",
    ...filters,
  ];
}

async function openLane(
  context: SuiteContext,
  kind: StoreKind,
  index: number,
  prng: Prng,
): Promise<Lane> {
  const dir = join(workDir(context), `crash-${kind.name}-${index}`);
  await mkdir(dir, { recursive: true });
  const versions = prng.sample(POOL, 3);
  const fixture = await writeFixture(dir, versions);
  const keyFile = join(dir, "upstream-key.asc");
  const configFile = join(dir, "streamgate.yaml");
  await writeFile(keyFile, fixture.publicKey);
  // Removed tarballs are deleted by the same run, so every run has garbage to collect.
  await writeFile(configFile, "agents:\n  graceSeconds: 0\n");
  const lane: Lane = {
    dir,
    mode: "filtered",
    upstream: await serveSlowUpstream(fixture, { chunkBytes: 32 * 1024, delayMs: 10 }),
    fixture,
    versions,
    keyFile,
    configFile,
    laneStore: await kind.openLane(context, index, dir),
  };
  const first = await runStreamgate(context, syncArgs(lane, "filtered"), {
    label: `crash-${kind.name}-${index}-first`,
    cwd: dir,
  });
  expect(first.code, first.stderr).toBe(0);
  return lane;
}

async function crashOnce(
  context: SuiteContext,
  lane: Lane,
  label: string,
  target: Target,
  prng: Prng,
): Promise<RunOutcome> {
  const removed = prng.pick(lane.versions);
  const added = prng.pick(POOL.filter((version) => !lane.versions.includes(version)));
  lane.versions = POOL.filter(
    (version) => version === added || (version !== removed && lane.versions.includes(version)),
  );
  lane.fixture = await writeFixture(lane.dir, lane.versions);
  lane.upstream.track(lane.fixture);
  // Exact mode after exact mode rewrites product files in place and leaves the index as it
  // was: a kill before an index write needs a filtered tree before an exact one.
  const exactOdds = target === "index" ? (lane.mode === "exact" ? 0 : 0.5) : 0.25;
  const mode: Mode = prng.next() < exactOdds ? "exact" : "filtered";
  lane.mode = mode;
  const { store } = lane.laneStore;
  const previous = await generations(store);
  const hold = holdFor(target, mode, prng);
  const armed = hold === undefined ? undefined : lane.laneStore.arm(hold);
  const child = spawnStreamgate(context, syncArgs(lane, mode), {
    label,
    cwd: lane.dir,
    ...(armed === undefined ? {} : { env: armed.env, preload: armed.preload }),
  });
  let killedAt: string | undefined;
  const kill = (where: string) => {
    if (killedAt !== undefined) return;
    killedAt = where;
    child.kill();
  };
  armed?.reached(child).then((write) => kill(`before ${write}`));
  const startBytes = lane.upstream.tarballBytes();
  const threshold = startBytes + prng.int(1, 2 * TARBALL_SIZE - 1);
  const stopListening = lane.upstream.onEvent((event) => {
    if (target === "read" && event.kind === "request" && event.path.endsWith("index2.sjson")) {
      kill("reading the upstream index");
    }
    if (target === "download" && event.kind === "tarball-bytes" && event.total >= threshold) {
      kill(`mid-download, ${event.total - startBytes} tarball bytes in`);
    }
  });
  const watchdog = setTimeout(() => kill("watchdog"), RUN_LIMIT_MS);
  const result = await child.exited;
  clearTimeout(watchdog);
  stopListening();
  armed?.cancel();

  const problems = await servedTreeProblems(store, (id) => id !== RELEASED);
  const afterKill = await generations(store);
  const started = Date.now();
  const recovery = await runStreamgate(context, [...syncArgs(lane, mode), "--wait"], {
    label: `${label}-next`,
    cwd: lane.dir,
  });
  const waitedMs = Date.now() - started;
  const tookOverFrom: string =
    recovery.code === 0 ? (JSON.parse(recovery.stdout).lock?.tookOverFrom ?? "") : "";
  const recovered = await generations(store);
  const named = await namedTarballKeys(store);
  const stored = await storedTarballKeys(store);
  return {
    target,
    mode,
    killedAt,
    signal: result.signal,
    problems,
    generation: generationOf(afterKill, previous, recovered),
    recoveryCode: recovery.code,
    recoveryStderr: recovery.stderr,
    tookOver: tookOverFrom.includes(`(pid ${child.pid},`),
    waitedMs,
    problemsAfter: await servedTreeProblems(store, (id) => id !== RELEASED),
    orphans: [...stored].filter((key) => !named.has(key)),
    missing: [...named].filter((key) => !stored.has(key)),
  };
}

const VIEWS = ["streams/v1/index2.json", "streams/v1/index2.sjson"];

function generations(store: ObjectStore): Promise<(string | null)[]> {
  return Promise.all(VIEWS.map((view) => servedGeneration(store, view)));
}

function generationOf(
  seen: (string | null)[],
  before: (string | null)[],
  after: (string | null)[],
): Generation {
  const same = (a: (string | null)[], b: (string | null)[]) => a.every((x, i) => x === b[i]);
  if (seen[0] === null) return "neither";
  if (same(seen, before)) return "old";
  if (same(seen, after)) return "new";
  return seen.every((view, i) => view === before[i] || view === after[i]) ? "mixed" : "neither";
}

function count<T>(items: readonly T[], test: (item: T) => boolean): number {
  return items.filter(test).length;
}

async function crashSuite(kind: StoreKind): Promise<RunOutcome[]> {
  const context = suiteContext();
  const prng = createPrng(context.seed + (kind.name === "fs" ? 1 : 2));
  const total = kind.lanes * kind.runsPerLane;
  const targets = targetsFor(total, prng);
  const lanes = await Promise.all(
    Array.from({ length: kind.lanes }, (_, index) =>
      openLane(context, kind, index, createPrng(prng.int(1, 2 ** 30))),
    ),
  );
  try {
    const perLane = await Promise.all(
      lanes.map(async (lane, index) => {
        const lanePrng = createPrng(prng.int(1, 2 ** 30) + index);
        const outcomes: RunOutcome[] = [];
        for (let run = 0; run < kind.runsPerLane; run++) {
          const target = targets[index * kind.runsPerLane + run] as Target;
          outcomes.push(
            await crashOnce(
              context,
              lane,
              `crash-${kind.name}-${index}-${run}-${target}`,
              target,
              lanePrng,
            ),
          );
        }
        return outcomes;
      }),
    );
    return perLane.flat();
  } finally {
    for (const lane of lanes) {
      await lane.upstream.close();
      await lane.laneStore.close();
    }
  }
}

function summarise(kind: StoreKind, outcomes: RunOutcome[]): void {
  const byTarget = TARGETS.map(
    (target) => `${target} ${count(outcomes, (run) => run.target === target)}`,
  ).join(", ");
  const killed = count(outcomes, (run) => run.signal === "SIGKILL" && run.killedAt !== "watchdog");
  const valid = count(outcomes, (run) => run.problems.length === 0);
  const old = count(outcomes, (run) => run.generation === "old");
  const fresh = count(outcomes, (run) => run.generation === "new");
  const mixed = count(outcomes, (run) => run.generation === "mixed");
  const next = count(outcomes, (run) => run.recoveryCode === 0 && run.problemsAfter.length === 0);
  const takeovers = count(outcomes, (run) => run.tookOver);
  const wait = outcomes.reduce((sum, run) => sum + run.waitedMs, 0) / outcomes.length / 1000;
  reportFigures(
    `crash-${kind.name}`,
    `${outcomes.length} runs (${byTarget}; ${count(outcomes, (run) => run.mode === "exact")} in exact mode), ${killed} SIGKILLs, ${valid} valid trees, ${old + fresh + mixed} good generations (${old} old, ${fresh} new, ${mixed} old and new behind the two indexes), ${next} next syncs ok (${takeovers} lock takeovers, next sync ${wait.toFixed(1)} s on average with the ${LEASE_SECONDS} s lease), ${count(outcomes, (run) => run.orphans.length === 0 && run.missing.length === 0)} trees without orphans`,
  );
}

function expectRecovered(outcomes: RunOutcome[]): void {
  for (const [index, run] of outcomes.entries()) {
    const where = `run ${index} (${run.target}, ${run.mode}, killed ${run.killedAt})`;
    expect(run.signal, where).toBe("SIGKILL");
    expect(run.killedAt, where).not.toBe("watchdog");
    expect(run.problems, where).toEqual([]);
    expect(run.generation, where).not.toBe("neither");
    expect(run.recoveryCode, `${where}: ${run.recoveryStderr}`).toBe(0);
    expect(run.tookOver, where).toBe(true);
    expect(run.problemsAfter, where).toEqual([]);
    expect(run.orphans, where).toEqual([]);
    expect(run.missing, where).toEqual([]);
  }
  for (const target of TARGETS) {
    expect(outcomes.some((run) => run.target === target)).toBe(true);
  }
}

describe("a sync killed with SIGKILL at a random moment", () => {
  it("on the fs store: 20 runs leave valid trees, keep a good generation and recover", async () => {
    const outcomes = await crashSuite(FS);
    summarise(FS, outcomes);
    expect(outcomes).toHaveLength(20);
    expectRecovered(outcomes);
  });

  it("on S3 (Swift): 10 runs leave valid trees, keep a good generation and recover", async () => {
    const outcomes = await crashSuite(S3);
    summarise(S3, outcomes);
    expect(outcomes).toHaveLength(10);
    expectRecovered(outcomes);
  });
});
