import { describe, expect, it, vi } from "vitest";
import { seededApp } from "../../test/http/seeded-app.ts";
import type { JobName } from "../scheduler/job-state.ts";
import type { TriggerSync } from "./admin-route.ts";
import { createTokenBucket } from "./token-bucket.ts";

const TOKEN = "admin-token-for-tests";
const AUTH = { authorization: `Bearer ${TOKEN}` };

function recordingTrigger(running: readonly JobName[] = []) {
  const calls: (JobName | undefined)[] = [];
  const triggerSync: TriggerSync = async (job) => {
    calls.push(job);
    const busy = job !== undefined && running.includes(job);
    return { started: !busy, message: busy ? `${job} is running` : "started" };
  };
  return { calls, triggerSync };
}

describe("POST /admin/sync", () => {
  it("answers 404 on every /admin path when no token is configured", async () => {
    const { calls, triggerSync } = recordingTrigger();
    const { app } = await seededApp({ triggerSync });
    for (const path of ["/admin/sync", "/admin/sync?job=agents", "/admin", "/admin/other"]) {
      const response = await app.request(path, { method: "POST", headers: AUTH });
      expect(response.status, path).toBe(404);
      expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    }
    expect(calls).toEqual([]);
  });

  it("answers 401 with WWW-Authenticate without or with a wrong token", async () => {
    const { calls, triggerSync } = recordingTrigger();
    const { app } = await seededApp({ adminToken: TOKEN, triggerSync });
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer nope" },
      { authorization: TOKEN },
    ];
    for (const headers of attempts) {
      const response = await app.request("/admin/sync", { method: "POST", headers });
      expect(response.status).toBe(401);
      expect(response.headers.get("www-authenticate")).toMatch(/^Bearer /);
    }
    expect(calls).toEqual([]);
  });

  it("starts the asked job with 202, or all jobs without ?job", async () => {
    const { calls, triggerSync } = recordingTrigger();
    const { app } = await seededApp({ adminToken: TOKEN, triggerSync });
    const one = await app.request("/admin/sync?job=images", { method: "POST", headers: AUTH });
    expect(one.status).toBe(202);
    expect(await one.json()).toEqual({ started: true, message: "started" });
    const all = await app.request("/admin/sync", { method: "POST", headers: AUTH });
    expect(all.status).toBe(202);
    expect(calls).toEqual(["images", undefined]);
  });

  it("answers 409 when the job is already running", async () => {
    const { triggerSync } = recordingTrigger(["agents"]);
    const { app } = await seededApp({ adminToken: TOKEN, triggerSync });
    const response = await app.request("/admin/sync?job=agents", { method: "POST", headers: AUTH });
    expect(response.status).toBe(409);
    expect(await response.json()).toEqual({ started: false, message: "agents is running" });
  });

  it("answers 400 for an unknown job and for a job that is not configured", async () => {
    const { calls, triggerSync } = recordingTrigger();
    const { app } = await seededApp({ adminToken: TOKEN, triggerSync, jobs: ["agents"] });
    const unknown = await app.request("/admin/sync?job=tools", { method: "POST", headers: AUTH });
    expect(unknown.status).toBe(400);
    const unconfigured = await app.request("/admin/sync?job=images", {
      method: "POST",
      headers: AUTH,
    });
    expect(unconfigured.status).toBe(400);
    expect(((await unconfigured.json()) as { message: string }).message).toMatch(/not configured/);
    expect(calls).toEqual([]);
  });

  it("answers 501 when the runtime gave no way to start a sync", async () => {
    const { app } = await seededApp({ adminToken: TOKEN });
    const response = await app.request("/admin/sync", { method: "POST", headers: AUTH });
    expect(response.status).toBe(501);
  });

  it("answers other methods with 405 and Allow: POST", async () => {
    const { app } = await seededApp({ adminToken: TOKEN });
    const response = await app.request("/admin/sync", { headers: AUTH });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
  });

  it("rate-limits /admin/* to 10 a minute, wrong tokens included, then recovers", async () => {
    let now = 0;
    const { triggerSync } = recordingTrigger();
    const { app } = await seededApp({
      adminToken: TOKEN,
      triggerSync,
      adminRateLimit: createTokenBucket({ capacity: 10, refillMs: 6000, now: () => now }),
    });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const headers = i % 2 === 0 ? AUTH : { authorization: "Bearer guess" };
      statuses.push((await app.request("/admin/sync", { method: "POST", headers })).status);
    }
    expect(statuses.slice(0, 10).every((status) => status === 202 || status === 401)).toBe(true);
    expect(statuses[10]).toBe(429);
    const limited = await app.request("/admin/sync", { method: "POST", headers: AUTH });
    expect(limited.headers.get("retry-after")).toBe("6");
    now += 6000;
    expect((await app.request("/admin/sync", { method: "POST", headers: AUTH })).status).toBe(202);
  });

  it("lends the trigger the Workers ExecutionContext for work that outlives the response", async () => {
    const waitUntil = vi.fn();
    const work = Promise.resolve("done");
    const { app } = await seededApp({
      adminToken: TOKEN,
      triggerSync: async (_job, context) => {
        context.waitUntil(work);
        return { started: true, message: "batch started" };
      },
    });
    const executionCtx = { waitUntil, passThroughOnException: () => {}, props: {} };
    const response = await app.request(
      "/admin/sync",
      { method: "POST", headers: AUTH },
      undefined,
      executionCtx,
    );
    expect(response.status).toBe(202);
    expect(waitUntil).toHaveBeenCalledTimes(1);
  });

  it("logs a failed background sync without the token, also on Node without ExecutionContext", async () => {
    let finish: (error: Error) => void = () => {};
    const background = new Promise((_, reject) => {
      finish = reject;
    });
    const { app, errors } = await seededApp({
      adminToken: TOKEN,
      triggerSync: async (_job, context) => {
        context.waitUntil(background);
        return { started: true, message: "started" };
      },
    });
    const response = await app.request("/admin/sync", { method: "POST", headers: AUTH });
    expect(response.status).toBe(202);
    finish(new Error("upstream unreachable"));
    await vi.waitFor(() => expect(errors).toHaveLength(1));
    expect(errors[0]).toMatch(/upstream unreachable/);
    expect(errors.join("\n")).not.toContain(TOKEN);
  });

  it("answers 500 and never logs the token when the trigger throws", async () => {
    const { app, errors } = await seededApp({
      adminToken: TOKEN,
      triggerSync: async () => {
        throw new Error("scheduler exploded");
      },
    });
    const response = await app.request("/admin/sync", { method: "POST", headers: AUTH });
    expect(response.status).toBe(500);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
    expect(errors.join("\n")).toMatch(/scheduler exploded/);
    expect(errors.join("\n")).not.toContain(TOKEN);
  });
});
