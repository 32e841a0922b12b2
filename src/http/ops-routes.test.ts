import { afterEach, describe, expect, it, vi } from "vitest";
import { AGENTS_STATE, TARBALL_KEY, TARBALL_SIZE } from "../../test/http/case-seed.ts";
import { createFailingStore } from "../../test/http/failing-store.ts";
import { seededApp } from "../../test/http/seeded-app.ts";
import { createMemoryStore } from "../store/memory.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { createApp } from "./app.ts";
import { createMetrics } from "./metrics.ts";
import type { StatusDocument } from "./ops-routes.ts";

afterEach(() => {
  vi.useRealTimers();
});

describe("/healthz", () => {
  it("answers ok without touching the store", async () => {
    const store = createFailingStore();
    const app = createApp({ store, logError: () => {} });
    const response = await app.request("/healthz");
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("ok\n");
    expect(store.calls).toBe(0);
  });
});

describe("/readyz", () => {
  it("is ready when the store answers, even with nothing stored", async () => {
    const app = createApp({ store: createMemoryStore() });
    expect((await app.request("/readyz")).status).toBe(200);
  });

  it("answers 503 with Retry-After when the store fails", async () => {
    const app = createApp({ store: createFailingStore(), logError: () => {} });
    const response = await app.request("/readyz");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("answers 503 when the store does not answer in time", async () => {
    vi.useFakeTimers();
    const hanging: ObjectStore = {
      ...createMemoryStore(),
      head: () => new Promise(() => {}),
    };
    const app = createApp({ store: hanging });
    const pending = app.request("/readyz");
    await vi.advanceTimersByTimeAsync(5_000);
    expect((await pending).status).toBe(503);
  });
});

describe("/status", () => {
  it("reports each configured job's state, null when it never ran, plus store and version", async () => {
    const { app } = await seededApp({ version: "1.2.3" });
    const response = await app.request("/status");
    expect(response.status).toBe(200);
    expect(response.headers.get("cache-control")).toBe("no-store");
    const document = (await response.json()) as StatusDocument;
    expect(document).toEqual({
      version: "1.2.3",
      store: { name: "memory" },
      jobs: { agents: AGENTS_STATE, images: null },
    });
  });

  it("leaves out jobs that are not configured", async () => {
    const { app } = await seededApp({ jobs: ["images"] });
    const document = (await (await app.request("/status")).json()) as StatusDocument;
    expect(document.jobs).toEqual({ images: null });
  });

  it("defaults the version to the package's", async () => {
    const { app } = await seededApp();
    const document = (await (await app.request("/status")).json()) as StatusDocument;
    expect(document.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it("answers 503 when the store fails", async () => {
    const errors: string[] = [];
    const app = createApp({ store: createFailingStore(), logError: (m) => errors.push(m) });
    expect((await app.request("/status")).status).toBe(503);
    expect(errors[0]).toMatch(/\[streamgate\] \[failing\] get failed/);
  });
});

describe("/metrics", () => {
  it("counts every answered request by status and the tree bytes served", async () => {
    const metrics = createMetrics();
    const { app } = await seededApp({ metrics });
    await (await app.request(`/${TARBALL_KEY}`)).arrayBuffer();
    await app.request(`/${TARBALL_KEY}`, { method: "HEAD" });
    await app.request("/missing.json");
    await app.request("/missing.json", { method: "DELETE" });
    await (await app.request(`/${TARBALL_KEY}`, { headers: { range: "bytes=0-9" } })).arrayBuffer();
    const text = await (await app.request("/metrics")).text();
    expect(text).toContain('streamgate_http_requests_total{code="200"} 2\n');
    expect(text).toContain('streamgate_http_requests_total{code="206"} 1\n');
    expect(text).toContain('streamgate_http_requests_total{code="404"} 1\n');
    expect(text).toContain('streamgate_http_requests_total{code="405"} 1\n');
    // The whole tarball once (HEAD sends no body) plus the 10-byte range.
    expect(text).toContain(`streamgate_http_response_bytes_total ${TARBALL_SIZE + 10}\n`);
  });

  it("counts the 503 of a failed store call", async () => {
    const metrics = createMetrics();
    const app = createApp({ store: createFailingStore(), metrics, logError: () => {} });
    expect((await app.request(`/${TARBALL_KEY}`)).status).toBe(503);
    expect(metrics.render()).toContain('streamgate_http_requests_total{code="503"} 1\n');
  });

  it("counts gzip output as it streams", async () => {
    const metrics = createMetrics();
    const { app } = await seededApp({ metrics });
    const response = await app.request("/juju/tools/streams/v1/index2.json", {
      headers: { "accept-encoding": "gzip" },
    });
    const compressed = (await response.arrayBuffer()).byteLength;
    expect(metrics.render()).toContain(`streamgate_http_response_bytes_total ${compressed}\n`);
  });

  it("shows the sync outcomes the job runner records", async () => {
    const metrics = createMetrics();
    metrics.recordSync("agents", "ok", 2000);
    const app = createApp({ store: createMemoryStore(), metrics });
    const response = await app.request("/metrics");
    expect(response.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(await response.text()).toContain(
      'streamgate_sync_runs_total{job="agents",outcome="ok"} 1\n',
    );
  });
});

describe("reserved paths", () => {
  it("take precedence over tree objects of the same name", async () => {
    const { app } = await seededApp({}, { status: "tree object", healthz: "tree object" });
    expect(await (await app.request("/healthz")).text()).toBe("ok\n");
    expect((await app.request("/status")).headers.get("content-type")).toMatch(/json/);
  });

  it("refuse other methods with 405", async () => {
    const { app } = await seededApp();
    for (const path of ["/healthz", "/readyz", "/status", "/metrics"]) {
      const response = await app.request(path, { method: "POST" });
      expect(response.status, path).toBe(405);
      expect(response.headers.get("allow")).toBe("GET, HEAD");
    }
  });
});
