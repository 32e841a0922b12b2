import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../store/memory.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { AgentsSyncConfigError } from "./errors.ts";
import { AGENTS_PREFIX } from "./layout.ts";
import {
  type AgentsSyncConfig,
  type AgentsSyncProgress,
  runAgentsSync,
} from "./run-agents-sync.ts";
import { agentProducts, memoryUpstream, upstreamFiles } from "./test-support.ts";

const RELEASED = "com.ubuntu.juju:released:agents";

const CONFIG: AgentsSyncConfig = {
  mode: "filtered",
  streams: ["released"],
  minVersion: "3.5",
  maxVersion: undefined,
  arches: ["amd64", "arm64"],
  os: ["ubuntu"],
  legacyTools: false,
  keep: 2,
  pins: [],
  allowUnsignedUpstream: true,
  concurrency: 2,
  lockLease: 60,
  graceSeconds: 0,
};

async function upstreamOf(versions: string[]) {
  const tarballs = new Map<string, Uint8Array>();
  const doc = await agentProducts(
    RELEASED,
    versions.flatMap((version) => [{ version }, { version, arch: "arm64" }]),
    tarballs,
  );
  return memoryUpstream(upstreamFiles([doc], tarballs));
}

type Write = { op: "put" | "delete"; key: string };

function recording(inner: ObjectStore): { store: ObjectStore; writes: Write[] } {
  const writes: Write[] = [];
  return {
    writes,
    store: {
      ...inner,
      async put(key, body, options) {
        const info = await inner.put(key, body, options);
        writes.push({ op: "put", key });
        return info;
      },
      async delete(keys) {
        await inner.delete(keys);
        for (const key of keys) writes.push({ op: "delete", key });
      },
    },
  };
}

function kindOf(key: string): string {
  if (!key.startsWith(AGENTS_PREFIX)) return "internal";
  if (key.endsWith(".tgz")) return "tarball";
  return /\/index2?\.s?json$/.test(key) ? "index" : "product";
}

describe("runAgentsSync", () => {
  it("publishes tarballs, then product files, then the index, and deletes only after the index", async () => {
    const { store, writes } = recording(createMemoryStore());
    await runAgentsSync({ store, upstream: await upstreamOf(["3.5.1", "3.6.1"]), config: CONFIG });
    writes.length = 0;
    const report = await runAgentsSync({
      store,
      upstream: await upstreamOf(["3.6.1", "3.6.2"]),
      config: CONFIG,
    });
    expect(report.outcome).toBe("published");
    const kinds = writes
      .filter((write) => kindOf(write.key) !== "internal")
      .map((write) => `${write.op} ${kindOf(write.key)}`);
    expect(kinds).toEqual([
      "put tarball",
      "put tarball",
      "put product",
      "put index",
      "delete tarball",
      "delete tarball",
      "delete product",
    ]);
  });

  it("reports the plan, the selection and the transfer", async () => {
    const store = createMemoryStore();
    const events: AgentsSyncProgress[] = [];
    const report = await runAgentsSync({
      store,
      upstream: await upstreamOf(["3.4.9", "3.5.1", "3.5.2", "3.5.3"]),
      config: CONFIG,
      onProgress: (event) => events.push(event),
    });
    expect(report).toMatchObject({
      job: "agents",
      outcome: "published",
      mode: "filtered",
      upstream: { url: "memory:///juju/tools", index: "streams/v1/index2.json", signed: false },
      selected: { versions: ["3.5.2", "3.5.3"], tarballs: 4 },
      transfer: { copied: 4, skipped: 0, remaining: 0 },
      lock: { mode: "conditional" },
      failures: [],
    });
    expect(report.transfer.bytes).toBe(report.selected.bytes);
    expect(report.plan.copies).toHaveLength(4);
    expect(report.plan.writes.map((write) => write.kind)).toEqual(["product", "index"]);
    expect(report.warnings.some((warning) => warning.includes("is not signed"))).toBe(true);
    const copying = events.filter((event) => event.phase === "copy");
    expect(copying.at(-1)).toEqual({
      phase: "copy",
      files: { done: 4, total: 4 },
      bytes: { done: report.selected.bytes, total: report.selected.bytes },
    });
  });

  it("plans a dry run without a single write to the store", async () => {
    const { store, writes } = recording(createMemoryStore());
    const report = await runAgentsSync({
      store,
      upstream: await upstreamOf(["3.6.1"]),
      config: CONFIG,
      dryRun: true,
    });
    expect(report).toMatchObject({ outcome: "dry-run", dryRun: true, lock: { mode: "none" } });
    expect(report.plan.copies).toHaveLength(2);
    expect(writes).toEqual([]);
  });

  it("ends incomplete, publishing nothing, when the signal is already aborted before copying", async () => {
    const store = createMemoryStore();
    const controller = new AbortController();
    const report = await runAgentsSync({
      store,
      upstream: await upstreamOf(["3.6.1"]),
      config: CONFIG,
      signal: controller.signal,
      onProgress: (event) => {
        if (event.phase === "copy") controller.abort(new Error("budget"));
      },
    });
    expect(report.outcome).toBe("incomplete");
    expect(report.published).toBe(false);
    expect(await store.head(`${AGENTS_PREFIX}streams/v1/index2.json`)).toBeNull();
  });

  it("warns that the lock is best effort on a store without conditional writes", async () => {
    const report = await runAgentsSync({
      store: createMemoryStore({ conditionalWrites: false }),
      upstream: await upstreamOf(["3.6.1"]),
      config: CONFIG,
      sleep: async () => {},
    });
    expect(report.lock.mode).toBe("best-effort");
    expect(report.warnings.join("\n")).toContain("the lock is best effort");
  });

  it.each([
    {
      change: { mode: "exact" as const, allowUnsignedUpstream: true },
      message: /only allowed in filtered mode/,
    },
    {
      change: { minVersion: "3.6", maxVersion: "3.5" },
      message: /`minVersion` \(3.6\) to be at most/,
    },
    { change: { pins: ["three"] }, message: /`pins`/ },
    { change: { streams: [] }, message: /`streams`/ },
  ])(
    "refuses a configuration that makes no sense before touching anything: $message",
    async ({ change, message }) => {
      const { store, writes } = recording(createMemoryStore());
      await expect(
        runAgentsSync({
          store,
          upstream: await upstreamOf(["3.6.1"]),
          config: { ...CONFIG, ...change },
        }),
      ).rejects.toThrow(AgentsSyncConfigError);
      await expect(
        runAgentsSync({
          store,
          upstream: await upstreamOf(["3.6.1"]),
          config: { ...CONFIG, ...change },
        }),
      ).rejects.toThrow(message);
      expect(writes).toEqual([]);
    },
  );
});
