import { describe, expect, it } from "vitest";
import {
  AGENT_INDEX,
  AGENT_INDEX_KEY,
  HTTP_CASE_SEED,
  seedSize,
  TARBALL,
  TARBALL_KEY,
  TARBALL_SIZE,
} from "../../test/http/case-seed.ts";
import { seededApp } from "../../test/http/seeded-app.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { createApp } from "./app.ts";

const IDENTITY = { "accept-encoding": "identity" };

/** A store whose one object claims 10 bytes and streams 2. */
function shortBodyStore(): ObjectStore {
  const info = { key: AGENT_INDEX_KEY, size: 10, etag: "e1", lastModified: new Date(0) };
  const refuse = () => Promise.reject(new Error("not used"));
  return {
    name: "short",
    capabilities: { conditionalWrites: false },
    async get() {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new Uint8Array([123, 125]));
          controller.close();
        },
      });
      return { ...info, body };
    },
    async head() {
      return info;
    },
    put: refuse,
    delete: refuse,
    list: () => ({ [Symbol.asyncIterator]: () => ({ next: refuse }) }),
  };
}

async function gunzip(response: Response): Promise<string> {
  const body = response.body;
  if (body === null) throw new Error("no body");
  return new Response(body.pipeThrough(new DecompressionStream("gzip"))).text();
}

describe("tree route", () => {
  it("uses exactly one store get for a GET and one head for a HEAD", async () => {
    const { app, store } = await seededApp();
    await (await app.request(`/${TARBALL_KEY}`)).arrayBuffer();
    expect(store.calls).toEqual({ get: 1 });
    await app.request(`/${TARBALL_KEY}`, { method: "HEAD" });
    expect(store.calls).toEqual({ get: 1, head: 1 });
  });

  it("streams the tarball with its validators and immutable caching", async () => {
    const { app } = await seededApp();
    const response = await app.request(`/${TARBALL_KEY}`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/gzip");
    expect(response.headers.get("content-length")).toBe(String(TARBALL_SIZE));
    expect(response.headers.get("etag")).toMatch(/^"[0-9a-f]{64}"$/);
    expect(response.headers.get("vary")).toBeNull();
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(TARBALL);
  });

  it("gzips JSON with a weak etag and no length when gzip is accepted", async () => {
    const { app } = await seededApp();
    const plain = await app.request(`/${AGENT_INDEX_KEY}`, { headers: IDENTITY });
    const strong = plain.headers.get("etag") ?? "";
    const response = await app.request(`/${AGENT_INDEX_KEY}`, {
      headers: { "accept-encoding": "gzip, deflate" },
    });
    expect(response.headers.get("content-encoding")).toBe("gzip");
    expect(response.headers.get("content-length")).toBeNull();
    expect(response.headers.get("etag")).toBe(`W/${strong}`);
    expect(JSON.parse(await gunzip(response))).toEqual(AGENT_INDEX);
  });

  it("never gzips a tarball", async () => {
    const { app } = await seededApp();
    const response = await app.request(`/${TARBALL_KEY}`, {
      headers: { "accept-encoding": "gzip" },
    });
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(TARBALL);
  });

  it("gzips a JSON file once, then answers from the kept copy after a head", async () => {
    const { app, store } = await seededApp();
    const gzip = { "accept-encoding": "gzip" };
    const first = await app.request(`/${AGENT_INDEX_KEY}`, { headers: gzip });
    const firstBytes = new Uint8Array(await first.arrayBuffer());
    expect(store.calls).toEqual({ get: 1 });
    const second = await app.request(`/${AGENT_INDEX_KEY}`, { headers: gzip });
    expect(store.calls).toEqual({ get: 1, head: 1 });
    expect(second.headers.get("content-encoding")).toBe("gzip");
    expect(second.headers.get("etag")).toBe(first.headers.get("etag"));
    expect(new Uint8Array(await second.arrayBuffer())).toEqual(firstBytes);
  });

  it("gzips the new bytes once a kept JSON file has changed", async () => {
    const { app, store } = await seededApp();
    const gzip = { "accept-encoding": "gzip" };
    await (await app.request(`/${AGENT_INDEX_KEY}`, { headers: gzip })).arrayBuffer();
    await store.put(AGENT_INDEX_KEY, '{"changed": true}\n');
    const response = await app.request(`/${AGENT_INDEX_KEY}`, { headers: gzip });
    expect(JSON.parse(await gunzip(response))).toEqual({ changed: true });
    expect(store.calls).toEqual({ get: 2, put: 1, head: 1 });
  });

  it("answers a kept gzip file with 404 once it is deleted, and 304 when asked with its etag", async () => {
    const { app, store } = await seededApp();
    const gzip = { "accept-encoding": "gzip" };
    const first = await app.request(`/${AGENT_INDEX_KEY}`, { headers: gzip });
    await first.arrayBuffer();
    const revalidated = await app.request(`/${AGENT_INDEX_KEY}`, {
      headers: { ...gzip, "if-none-match": first.headers.get("etag") ?? "" },
    });
    expect(revalidated.status).toBe(304);
    await store.delete([AGENT_INDEX_KEY]);
    const gone = await app.request(`/${AGENT_INDEX_KEY}`, { headers: gzip });
    expect(gone.status).toBe(404);
  });

  it("keeps no gzip copy of a file larger than a quarter of the cache", async () => {
    const { app, store } = await seededApp({ gzipCacheBytes: 16 });
    const gzip = { "accept-encoding": "gzip" };
    for (let i = 0; i < 2; i++) {
      const response = await app.request(`/${AGENT_INDEX_KEY}`, { headers: gzip });
      expect(JSON.parse(await gunzip(response))).toEqual(AGENT_INDEX);
    }
    expect(store.calls).toEqual({ get: 2 });
  });

  it("answers 503 when the store's body for a small file is shorter than its size", async () => {
    const errors: string[] = [];
    const app = createApp({ store: shortBodyStore(), logError: (message) => errors.push(message) });
    const response = await app.request(`/${AGENT_INDEX_KEY}`, { headers: IDENTITY });
    expect(response.status).toBe(503);
    expect(errors.join("\n")).toMatch(/\[short\] get failed .*the body had 2 bytes, not 10/);
  });

  it("answers HEAD with the identity length and no body", async () => {
    const { app } = await seededApp();
    const response = await app.request(`/${AGENT_INDEX_KEY}`, {
      method: "HEAD",
      headers: { "accept-encoding": "gzip" },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-length")).toBe(
      String(seedSize(HTTP_CASE_SEED, AGENT_INDEX_KEY)),
    );
    expect(response.headers.get("vary")).toBe("Accept-Encoding");
    expect(await response.text()).toBe("");
  });

  it("answers a conditional HEAD with 304", async () => {
    const { app } = await seededApp();
    const first = await app.request(`/${TARBALL_KEY}`, { method: "HEAD" });
    const response = await app.request(`/${TARBALL_KEY}`, {
      method: "HEAD",
      headers: { "if-none-match": first.headers.get("etag") ?? "" },
    });
    expect(response.status).toBe(304);
  });

  it("answers 304 without a body and without Content-Type", async () => {
    const { app } = await seededApp();
    const first = await app.request(`/${TARBALL_KEY}`, { method: "HEAD" });
    const response = await app.request(`/${TARBALL_KEY}`, {
      headers: { "if-none-match": first.headers.get("etag") ?? "" },
    });
    expect(response.status).toBe(304);
    expect(response.headers.get("content-type")).toBeNull();
    expect(response.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(await response.text()).toBe("");
  });

  it("prefers 304 over 206 when both apply", async () => {
    const { app } = await seededApp();
    const first = await app.request(`/${TARBALL_KEY}`, { method: "HEAD" });
    const response = await app.request(`/${TARBALL_KEY}`, {
      headers: { "if-none-match": first.headers.get("etag") ?? "", range: "bytes=0-9" },
    });
    expect(response.status).toBe(304);
  });

  it("answers a range with 206 read from the store, not sliced here", async () => {
    const { app } = await seededApp();
    const response = await app.request(`/${TARBALL_KEY}`, {
      headers: { range: "bytes=65530-65545" },
    });
    expect(response.status).toBe(206);
    expect(response.headers.get("content-range")).toBe(`bytes 65530-65545/${TARBALL_SIZE}`);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(TARBALL.slice(65530, 65546));
  });

  it("cuts a range running past the end at the end", async () => {
    const { app } = await seededApp();
    const response = await app.request(`/${TARBALL_KEY}`, {
      headers: { range: `bytes=${TARBALL_SIZE - 2}-${TARBALL_SIZE + 100}` },
    });
    expect(response.status).toBe(206);
    expect(response.headers.get("content-length")).toBe("2");
  });

  it("answers 416 for a zero suffix and for a range of an empty object", async () => {
    const { app } = await seededApp({}, { "empty.json": "", [TARBALL_KEY]: TARBALL });
    const zero = await app.request(`/${TARBALL_KEY}`, { headers: { range: "bytes=-0" } });
    expect(zero.status).toBe(416);
    expect(zero.headers.get("content-range")).toBe(`bytes */${TARBALL_SIZE}`);
    const empty = await app.request("/empty.json", { headers: { range: "bytes=0-" } });
    expect(empty.status).toBe(416);
    expect(empty.headers.get("content-range")).toBe("bytes */0");
  });

  it("sends the whole current object when If-Range names an older version", async () => {
    const { app } = await seededApp();
    const stale = await app.request(`/${TARBALL_KEY}`, {
      headers: { range: "bytes=0-9", "if-range": '"0000"' },
    });
    expect(stale.status).toBe(200);
    expect((await stale.arrayBuffer()).byteLength).toBe(TARBALL_SIZE);
    const etag = stale.headers.get("etag") ?? "";
    const fresh = await app.request(`/${TARBALL_KEY}`, {
      headers: { range: "bytes=0-9", "if-range": etag },
    });
    expect(fresh.status).toBe(206);
  });

  it("answers 400 for keys the store refuses, e.g. an overlong segment", async () => {
    const { app } = await seededApp();
    const response = await app.request(`/juju/${"a".repeat(300)}`);
    expect(response.status).toBe(400);
    expect(response.headers.get("content-type")).toMatch(/^text\/plain/);
  });

  it("answers 400 for forbidden characters before touching the store", async () => {
    const { app, store } = await seededApp();
    const response = await app.request("/juju/tools/%2e%2e%2fx");
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/^400 Bad Request/);
    expect(store.calls).toEqual({});
  });
});
