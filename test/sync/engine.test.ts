import { afterEach, describe, expect, it } from "vitest";
import { createAgentsJob } from "../../src/jobs/agents-job.ts";
import { jobReportKey } from "../../src/scheduler/job-state.ts";
import { readJobState } from "../../src/scheduler/job-state-store.ts";
import { runJob } from "../../src/scheduler/run-job.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
import {
  AGENTS_GC_KEY,
  AGENTS_LOCK_KEY,
  AGENTS_PROGRESS_KEY,
  AgentsSyncError,
  type AgentsSyncReport,
  runAgentsSync,
} from "../../src/sync/index.ts";
import type { Upstream } from "../../src/upstream/index.ts";
import { servedTreeProblems } from "./check-served.ts";
import { recordingStore } from "./recording-store.ts";
import {
  agentsConfig,
  createWorld,
  editJson,
  fileUpstream,
  RELEASED_AGENTS_SJSON,
  type SyncWorld,
  snapshot,
} from "./support.ts";

let world: SyncWorld | undefined;

afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const FILTER = { minVersion: "3.5", arches: ["amd64", "arm64"] };

function gate() {
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}

/** An upstream whose first index read waits for `until`. */
function pausedUpstream(upstream: Upstream, until: Promise<void>, reached: () => void): Upstream {
  return {
    ...upstream,
    async readIndex(options) {
      reached();
      await until;
      return upstream.readIndex(options);
    },
  };
}

async function failureOf(promise: Promise<unknown>): Promise<AgentsSyncError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AgentsSyncError);
  return error as AgentsSyncError;
}

describe("runAgentsSync: resuming", () => {
  it("stops copying when the signal aborts, ends incomplete, and the next run copies only what is missing", async () => {
    world = await createWorld();
    const upstream = fileUpstream(world.fixture);
    const controller = new AbortController();
    let opened = 0;
    const budgeted: Upstream = {
      ...upstream,
      openObject(path, options) {
        if (++opened === 3) controller.abort(new Error("time budget spent"));
        return upstream.openObject(path, options);
      },
    };
    const config = agentsConfig({ ...FILTER, concurrency: 1 });
    const first = await runAgentsSync({
      store: world.store,
      upstream: budgeted,
      config,
      signal: controller.signal,
    });
    expect(first).toMatchObject({
      outcome: "incomplete",
      published: false,
      transfer: { copied: 2, remaining: 6 },
    });
    expect(await world.store.head("juju/tools/streams/v1/index2.json")).toBeNull();
    expect(await world.store.head(AGENTS_PROGRESS_KEY)).not.toBeNull();
    expect(await world.store.head(AGENTS_LOCK_KEY)).toBeNull();

    const second = await runAgentsSync({ store: world.store, upstream, config });
    expect(second).toMatchObject({
      outcome: "published",
      resumed: true,
      transfer: { copied: 6, skipped: 2, remaining: 0 },
    });
    expect(await world.store.head(AGENTS_PROGRESS_KEY)).toBeNull();
    expect(await servedTreeProblems(world.store)).toEqual([]);
  });

  it("publishes no new generation when nothing changed, and a new one when the metadata does", async () => {
    world = await createWorld();
    const store = world.store;
    const upstream = fileUpstream(world.fixture);
    const job = (block: Record<string, unknown>) =>
      createAgentsJob({ config: agentsConfig(block), openUpstream: async () => upstream });
    const reports: AgentsSyncReport[] = [];
    const track = (block: Record<string, unknown>) => {
      const inner = job(block);
      return {
        ...inner,
        run: async (context: Parameters<typeof inner.run>[0]) => {
          const result = await inner.run(context);
          reports.push(result.report as AgentsSyncReport);
          return result;
        },
      };
    };
    const first = await runJob(track(FILTER), { store });
    const second = await runJob(track(FILTER), { store });
    expect(first.generation).toBe(1);
    expect(second.generation).toBeUndefined();
    expect(reports[1]).toMatchObject({
      outcome: "unchanged",
      published: false,
      transfer: { copied: 0, skipped: 8 },
      plan: { copies: [], writes: [] },
    });
    const third = await runJob(track({ ...FILTER, arches: ["amd64"] }), { store });
    expect(third.generation).toBe(2);
    expect((await readJobState(store, "agents"))?.generation).toBe(2);
    const stored = await store.get(jobReportKey("agents", 2));
    expect(JSON.parse(await new Response(stored?.body).text())).toMatchObject({
      generation: 2,
      outcome: "published",
      filters: { arches: ["amd64"] },
    });
    expect(await store.head(jobReportKey("agents", 3))).toBeNull();
  });

  it("re-hashes held tarballs with verifyExisting and copies again the one whose bytes rotted", async () => {
    world = await createWorld();
    const upstream = fileUpstream(world.fixture);
    const memory = createMemoryStore();
    const config = agentsConfig(FILTER);
    await runAgentsSync({ store: memory, upstream, config });
    const rotten = "juju/tools/agent/3.6.12/juju-3.6.12-linux-amd64.tgz";
    let rotted = true;
    // The recorded sha256 still claims the old bytes; only reading them shows the rot.
    const rotting: ObjectStore = {
      ...memory,
      async get(key, options) {
        const object = await memory.get(key, options);
        if (object === null || key !== rotten || !rotted) return object;
        const bytes = new Uint8Array(await new Response(object.body).arrayBuffer());
        bytes[10] = (bytes[10] ?? 0) ^ 0xff;
        return { ...object, body: new Response(bytes).body as ReadableStream<Uint8Array> };
      },
      async put(key, body, options) {
        if (key === rotten) rotted = false;
        return memory.put(key, body, options);
      },
    };
    const trusting = await runAgentsSync({ store: rotting, upstream, config });
    expect(trusting.transfer).toMatchObject({ copied: 0, verified: 0 });
    const verifying = await runAgentsSync({
      store: rotting,
      upstream,
      config,
      verifyExisting: true,
    });
    expect(verifying.transfer).toMatchObject({ copied: 1, verified: 8 });
    expect(verifying.plan.copies).toEqual([
      expect.objectContaining({ path: rotten.replace("juju/tools/", ""), reason: "corrupt" }),
    ]);
    expect(rotted).toBe(false);
  });
});

describe("runAgentsSync: failures", () => {
  it("rolls back the tarballs it copied when one contradicts its signed metadata", async () => {
    world = await createWorld();
    await editJson(world.fixture, RELEASED_AGENTS_SJSON, (document) => {
      // The last amd64 item copied (concurrency 1): the others are stored by then.
      document.products["com.ubuntu.juju:ubuntu:arm64"].versions["20251105"].items[
        "3.6.12-ubuntu-arm64"
      ].sha256 = "1".repeat(64);
    });
    const { store, events } = recordingStore(createMemoryStore());
    const error = await failureOf(
      runAgentsSync({
        store,
        upstream: fileUpstream(world.fixture),
        config: agentsConfig({ ...FILTER, concurrency: 1 }),
      }),
    );
    expect(error.report.failures[0]).toMatchObject({
      kind: "tarball",
      path: "agent/3.6.12/juju-3.6.12-linux-arm64.tgz",
    });
    const copied = events.filter((e) => e.op === "put" && !e.failed && e.key.endsWith(".tgz"));
    expect(copied.length).toBeGreaterThan(0);
    const deleted = new Set(events.filter((e) => e.op === "delete").map((e) => e.key));
    for (const put of copied) expect(deleted.has(put.key), put.key).toBe(true);
    expect(await snapshot(store)).toEqual({});
    expect(await store.head(AGENTS_PROGRESS_KEY)).toBeNull();
  });

  it("fails naming the upstream when it cannot be read, and publishes nothing", async () => {
    world = await createWorld();
    const upstream = fileUpstream({ ...world.fixture, url: `${world.fixture.url}-missing` });
    const error = await failureOf(
      runAgentsSync({ store: world.store, upstream, config: agentsConfig(FILTER) }),
    );
    expect(error.report.failures[0]).toMatchObject({ kind: "upstream" });
    expect(error.message).toContain("no simplestreams index found");
    expect(await snapshot(world.store)).toEqual({});
  });

  it("fails naming a tarball upstream lists but does not serve, keeping what it copied for the next run", async () => {
    world = await createWorld();
    const { rm } = await import("node:fs/promises");
    await rm(`${world.fixture.root}/agent/3.6.12/juju-3.6.12-linux-arm64.tgz`);
    const error = await failureOf(
      runAgentsSync({
        store: world.store,
        upstream: fileUpstream(world.fixture),
        config: agentsConfig({ ...FILTER, concurrency: 1 }),
      }),
    );
    expect(error.report.failures[0]).toMatchObject({
      kind: "upstream",
      path: "agent/3.6.12/juju-3.6.12-linux-arm64.tgz",
    });
    expect(await world.store.head("juju/tools/streams/v1/index2.json")).toBeNull();
    expect(await world.store.head(AGENTS_PROGRESS_KEY)).not.toBeNull();
  });

  it("refuses a selection that is empty rather than publishing an empty mirror", async () => {
    world = await createWorld();
    const error = await failureOf(
      runAgentsSync({
        store: world.store,
        upstream: fileUpstream(world.fixture),
        config: agentsConfig({ minVersion: "9.0" }),
      }),
    );
    expect(error.report.failures[0]?.kind).toBe("selection");
    expect(error.message).toContain("select no agent binaries");
  });
});

describe("runAgentsSync: the lock", () => {
  it("lets one of two concurrent syncs run; the other fails naming the holder", async () => {
    world = await createWorld();
    const upstream = fileUpstream(world.fixture);
    const config = agentsConfig(FILTER);
    const results = await Promise.allSettled([
      runAgentsSync({ store: world.store, upstream, config, owner: "sync A" }),
      runAgentsSync({ store: world.store, upstream, config, owner: "sync B" }),
    ]);
    const fulfilled = results.filter((result) => result.status === "fulfilled");
    const rejected = results.filter((result) => result.status === "rejected");
    expect(fulfilled).toHaveLength(1);
    expect(rejected).toHaveLength(1);
    const error = (rejected[0] as PromiseRejectedResult).reason as AgentsSyncError;
    expect(error).toBeInstanceOf(AgentsSyncError);
    expect(error.report.failures[0]?.kind).toBe("lock");
    expect(error.message).toMatch(/another sync holds the lock .*owner "sync [AB]".*expires at/);
  });

  it("fails fast while another sync holds the lock, and waits for it with `wait`", async () => {
    world = await createWorld();
    const upstream = fileUpstream(world.fixture);
    const config = agentsConfig(FILTER);
    const release = gate();
    const holding = gate();
    const first = runAgentsSync({
      store: world.store,
      upstream: pausedUpstream(upstream, release.opened, holding.open),
      config,
      owner: "the first sync",
    });
    await holding.opened;

    const refused = await failureOf(runAgentsSync({ store: world.store, upstream, config }));
    expect(refused.message).toContain('owner "the first sync"');
    expect(refused.report.outcome).toBe("failed");

    let polls = 0;
    const waiting = runAgentsSync({
      store: world.store,
      upstream,
      config,
      wait: true,
      sleep: async () => {
        polls++;
        if (polls === 2) release.open();
        await new Promise((resolve) => setTimeout(resolve, 5));
      },
    });
    const [firstReport, waitedReport] = await Promise.all([first, waiting]);
    expect(firstReport.outcome).toBe("published");
    expect(waitedReport.outcome).toBe("unchanged");
    expect(polls).toBeGreaterThanOrEqual(2);
  });

  it("takes over the lock of a sync killed mid-run once its lease expired", async () => {
    world = await createWorld();
    const upstream = fileUpstream(world.fixture);
    const config = agentsConfig({ ...FILTER, lockLease: 60 });
    await world.store.put(
      AGENTS_LOCK_KEY,
      JSON.stringify({
        owner: "killed sync",
        acquiredAt: "2026-11-23T09:00:00.000Z",
        expiresAt: "2026-11-23T09:01:00.000Z",
      }),
    );
    const report = await runAgentsSync({
      store: world.store,
      upstream,
      config,
      now: () => new Date("2026-11-23T10:00:00Z"),
    });
    expect(report.lock.tookOverFrom).toBe("killed sync");
    expect(report.outcome).toBe("published");
  });
});

describe("runAgentsSync: garbage collection", () => {
  it("deletes what leaves the tree at once with no grace period, and only that", async () => {
    world = await createWorld();
    const upstream = fileUpstream(world.fixture);
    await runAgentsSync({ store: world.store, upstream, config: agentsConfig(FILTER) });
    const report = await runAgentsSync({
      store: world.store,
      upstream,
      config: agentsConfig({ ...FILTER, minVersion: "3.6" }),
    });
    expect(report.outcome).toBe("published");
    const keys = Object.keys(await snapshot(world.store));
    expect(keys.filter((key) => key.includes("/agent/3.5."))).toEqual([]);
    expect(keys.filter((key) => key.endsWith(".tgz"))).toHaveLength(4);
    expect(keys.filter((key) => key.includes("streams/v1/com.ubuntu"))).toHaveLength(1);
    expect(report.gc.deleted.filter((key) => key.endsWith(".tgz"))).toHaveLength(4);
    expect(report.gc.deleted.some((key) => key.includes("released-agents-"))).toBe(true);
    expect(await servedTreeProblems(world.store)).toEqual([]);
  });

  it("keeps what left the tree for the grace period, then deletes it unless it is needed again", async () => {
    world = await createWorld();
    const upstream = fileUpstream(world.fixture);
    let time = Date.parse("2026-11-23T10:00:00Z");
    const now = () => new Date(time);
    const graced = (block: Record<string, unknown>) =>
      agentsConfig({ ...block, graceSeconds: 3600 });
    await runAgentsSync({ store: world.store, upstream, config: graced(FILTER), now });
    const narrowed = await runAgentsSync({
      store: world.store,
      upstream,
      config: graced({ ...FILTER, arches: ["amd64"] }),
      now,
    });
    expect(narrowed.gc).toMatchObject({ deleted: [], scheduled: 5, pending: 5 });
    const arm = "juju/tools/agent/3.6.12/juju-3.6.12-linux-arm64.tgz";
    expect(await world.store.head(arm)).not.toBeNull();
    const state = JSON.parse(
      await new Response((await world.store.get(AGENTS_GC_KEY))?.body).text(),
    );
    expect(state.pending[arm]).toBe("2026-11-23T11:00:00.000Z");

    time += 30 * 60_000;
    const early = await runAgentsSync({
      store: world.store,
      upstream,
      config: graced({ ...FILTER, arches: ["amd64"] }),
      now,
    });
    expect(early.gc.deleted).toEqual([]);
    expect(await world.store.head(arm)).not.toBeNull();

    // Back to both arches just before the grace ends: the arm64 tarballs are needed again.
    const widened = await runAgentsSync({
      store: world.store,
      upstream,
      config: graced(FILTER),
      now,
    });
    expect(widened.transfer.copied).toBe(0);
    time += 60 * 60_000;
    const later = await runAgentsSync({
      store: world.store,
      upstream,
      config: graced(FILTER),
      now,
    });
    expect(later.gc.deleted.filter((key) => key.endsWith(".tgz"))).toEqual([]);
    expect(await world.store.head(arm)).not.toBeNull();
    // Only the product file of the amd64-only tree is gone; the first tree came back.
    expect(
      later.gc.deleted.every((key) => key.includes("streams/v1/com.ubuntu.juju-released-agents-")),
    ).toBe(true);
    expect(later.gc.deleted.length).toBeGreaterThan(0);
    expect(await servedTreeProblems(world.store)).toEqual([]);
  });

  it("sweeps orphans a killed run left behind at its next publish", async () => {
    world = await createWorld();
    const upstream = fileUpstream(world.fixture);
    await world.store.put("juju/tools/agent/9.9.9/juju-9.9.9-linux-amd64.tgz", "left by a crash");
    await runAgentsSync({ store: world.store, upstream, config: agentsConfig(FILTER) });
    expect(await world.store.head("juju/tools/agent/9.9.9/juju-9.9.9-linux-amd64.tgz")).toBeNull();
  });
});

describe("runAgentsSync: switching modes", () => {
  it("from exact to filtered: the signed index goes at once, the signed product files with GC", async () => {
    world = await createWorld();
    const upstream = fileUpstream(world.fixture);
    await runAgentsSync({
      store: world.store,
      upstream,
      config: agentsConfig({ mode: "exact", streams: ["released"] }),
    });
    expect(await world.store.head("juju/tools/streams/v1/index2.sjson")).not.toBeNull();
    const report = await runAgentsSync({
      store: world.store,
      upstream,
      config: agentsConfig(FILTER),
    });
    expect(report.plan.deletes).toEqual(
      expect.arrayContaining([
        { key: "juju/tools/streams/v1/index2.sjson", when: "now" },
        { key: `juju/tools/${RELEASED_AGENTS_SJSON}`, when: "now" },
      ]),
    );
    const keys = Object.keys(await snapshot(world.store));
    expect(keys.filter((key) => key.endsWith(".sjson"))).toEqual([]);
    expect(keys.filter((key) => key.endsWith(".tgz"))).toHaveLength(8);
    expect(await servedTreeProblems(world.store)).toEqual([]);
  });

  it("from exact with two streams to one: the dropped stream's product files answer 404", async () => {
    world = await createWorld();
    const upstream = fileUpstream(world.fixture);
    const exact = (streams: string[]) => agentsConfig({ mode: "exact", streams });
    await runAgentsSync({ store: world.store, upstream, config: exact(["released", "proposed"]) });
    const proposed = "juju/tools/streams/v1/com.ubuntu.juju-proposed-agents.sjson";
    expect(await world.store.head(proposed)).not.toBeNull();
    const report = await runAgentsSync({
      store: world.store,
      upstream,
      config: exact(["released"]),
    });
    expect(report.published).toBe(true);
    expect(await world.store.head(proposed)).toBeNull();
    expect(await world.store.head(proposed.replace(".sjson", ".json"))).toBeNull();
    expect(
      await world.store.head("juju/tools/agent/3.6.13/juju-3.6.13-linux-amd64.tgz"),
    ).toBeNull();
    expect(
      await servedTreeProblems(world.store, (contentId) => !contentId.endsWith(":released:agents")),
    ).toEqual([]);
  });
});
