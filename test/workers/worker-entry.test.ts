import {
  createExecutionContext,
  createScheduledController,
  env,
  SELF,
  waitOnExecutionContext,
} from "cloudflare:test";
import { beforeEach, describe, expect, it } from "vitest";
import type { JobState } from "../../src/scheduler/job-state.ts";
import worker from "../../src/worker.ts";
import { emptyBucket } from "./empty-bucket.ts";

// The real Worker entry (src/worker.ts) with the wrangler.toml dev stage: R2 binding
// MIRROR, STREAMGATE_CONFIG with an `agents` job on "17 */6 * * *", and the admin token
// from vitest.config.ts.

async function agentsState(): Promise<JobState | null> {
  const object = await env.MIRROR.get(".streamgate/state/agents.json");
  return object === null ? null : ((await object.json()) as JobState);
}

beforeEach(emptyBucket);

describe("the Worker entry", () => {
  it("serves stored objects from R2 and answers a real 404 for missing ones", async () => {
    await env.MIRROR.put("juju/tools/streams/v1/index2.json", '{"format": "index:1.0"}\n');
    const found = await SELF.fetch("https://mirror.test/juju/tools/streams/v1/index2.json");
    expect(found.status).toBe(200);
    expect(await found.text()).toBe('{"format": "index:1.0"}\n');
    const missing = await SELF.fetch("https://mirror.test/juju/tools/streams/v1/mirrors.sjson");
    expect(missing.status).toBe(404);
    expect(missing.headers.get("content-type")).toMatch(/^text\/plain/);
  });

  it("never serves internal state", async () => {
    await env.MIRROR.put(".streamgate/state/agents.json", "{}");
    const response = await SELF.fetch("https://mirror.test/.streamgate/state/agents.json");
    expect(response.status).toBe(404);
  });

  it("guards /admin/sync with the token from the Worker secret", async () => {
    const anonymous = await SELF.fetch("https://mirror.test/admin/sync", { method: "POST" });
    expect(anonymous.status).toBe(401);
    const started = await SELF.fetch("https://mirror.test/admin/sync?job=agents", {
      method: "POST",
      headers: { authorization: `Bearer ${env.STREAMGATE_ADMIN_TOKEN}` },
    });
    expect(started.status).toBe(202);
  });

  it("runs the job whose cron fired and records its outcome in R2", async () => {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "17 */6 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    const state = await agentsState();
    expect(state?.lastRun?.outcome).toBe("failed");
    // No network here: the sync fails on the upstream, or on the lock the batch started by
    // the /admin/sync test above still holds while it retries that upstream.
    expect(state?.lastRun?.errors[0]).toMatch(
      /agents sync failed: (cannot reach|another sync holds the lock)/,
    );
  });

  it("runs nothing for a cron no job uses", async () => {
    const ctx = createExecutionContext();
    await worker.scheduled(createScheduledController({ cron: "0 0 * * *" }), env, ctx);
    await waitOnExecutionContext(ctx);
    expect(await agentsState()).toBeNull();
  });
});
