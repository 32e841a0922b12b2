import {
  createExecutionContext,
  createScheduledController,
  env,
  SELF,
  waitOnExecutionContext,
} from "cloudflare:test";
import { beforeAll, describe, expect, inject, it } from "vitest";
import type { JobState } from "../../src/scheduler/job-state.ts";
import { lookupAgent } from "../../src/verify/index.ts";
import worker from "../../src/worker.ts";
import { emptyBucket } from "./empty-bucket.ts";
import { UPSTREAM_HOST } from "./upstream-outbound.ts";

// The agents mirror end to end inside workerd: cron trigger → scheduled() → time-boxed
// batches from the local upstream into R2 → the Worker serves the tree → a client that
// replays Juju's lookup gets the right agents, checked against size and sha256.
const CRON = "*/10 * * * *";
const MAX_BATCHES = 40;

const config = {
  agents: {
    cron: CRON,
    upstream: `http://${UPSTREAM_HOST}/juju/tools`,
    upstreamKey: inject("upstreamKey"),
    minVersion: "3.5",
    arches: ["amd64", "arm64"],
    keep: 2,
    concurrency: 2,
    graceSeconds: 0,
  },
};

// A budget far below what the whole copy takes, so the sync needs several triggers.
const batchEnv = {
  ...env,
  STREAMGATE_CONFIG: JSON.stringify(config),
  STREAMGATE_TIME_BUDGET: "0.4",
};

async function agentsState(): Promise<JobState | null> {
  const object = await env.MIRROR.get(".streamgate/state/agents.json");
  return object === null ? null : ((await object.json()) as JobState);
}

async function trigger(): Promise<void> {
  const ctx = createExecutionContext();
  await worker.scheduled(createScheduledController({ cron: CRON }), batchEnv, ctx);
  await waitOnExecutionContext(ctx);
}

function lookup(jujuVersion: string, arch: string) {
  return lookupAgent({
    baseUrl: "https://mirror.test/juju/tools",
    jujuVersion,
    arch,
    fetch: ((input: RequestInfo | URL, init?: RequestInit) =>
      SELF.fetch(String(input instanceof Request ? input.url : input), init)) as typeof fetch,
  });
}

describe("agents sync in workerd", () => {
  let batches = 0;

  beforeAll(async () => {
    await emptyBucket();
    while (batches < MAX_BATCHES) {
      batches += 1;
      await trigger();
      const state = await agentsState();
      if (state?.lastRun?.outcome === "failed") {
        throw new Error(`batch ${batches} failed: ${state.lastRun.errors.join("; ")}`);
      }
      if ((state?.generation ?? 0) >= 1) break;
    }
  });

  it("publishes after several time-boxed batches", async () => {
    const state = await agentsState();
    expect(state?.generation).toBe(1);
    expect(batches).toBeGreaterThan(1);
    expect(batches).toBeLessThan(MAX_BATCHES);
  });

  it("serves the newest patch of each wanted major.minor, verified", async () => {
    for (const [version, arch, expected] of [
      ["3.5", "amd64", "3.5.5"],
      ["3.6", "amd64", "3.6.12"],
      ["3.6", "arm64", "3.6.12"],
    ] as const) {
      const result = await lookup(version, arch);
      expect(result.outcome, JSON.stringify(result)).toBe("found");
      if (result.outcome !== "found") continue;
      expect(result.version).toBe(expected);
      expect(result.tarball?.sha256).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("advertises nothing outside the filter", async () => {
    expect((await lookup("3.4", "amd64")).outcome).toBe("not-found");
    expect((await lookup("3.6", "s390x")).outcome).toBe("not-found");
    const signed = await SELF.fetch("https://mirror.test/juju/tools/streams/v1/index2.sjson");
    expect(signed.status).toBe(404);
  });

  it("publishes nothing new when a later trigger finds nothing to change", async () => {
    await trigger();
    const state = await agentsState();
    expect(state?.lastRun?.outcome).toBe("ok");
    expect(state?.generation).toBe(1);
  });
});
