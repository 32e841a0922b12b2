import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { readFileSync } from "node:fs";
import { createApp } from "../../src/http/index.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
const mode = process.argv[2];
const body = readFileSync("/tmp/bt/juju/tools/streams/v1/index2.json");
const H = () => ({ "content-type": "application/json", "cache-control": "public, max-age=60, must-revalidate", etag: '"abc"', "last-modified": new Date().toUTCString(), "accept-ranges": "bytes", "x-content-type-options": "nosniff", vary: "Accept-Encoding", "content-length": String(body.byteLength) });
let fetch: (r: Request) => Response | Promise<Response>;
const app = new Hono();
if (mode === "sync") app.get("*", () => new Response(body, { headers: H() }));
if (mode === "async") app.get("*", async () => { await Promise.resolve(); return new Response(body, { headers: H() }); });
if (mode === "mw") { app.use(async (c, next) => { await next(); void c.res.status; }); app.get("*", async () => { await Promise.resolve(); return new Response(body, { headers: H() }); }); }
if (mode === "stream") app.get("*", async () => { await Promise.resolve(); const s = new ReadableStream({ start(c) { c.enqueue(body); c.close(); } }); const r = s.getReader(); const x = await r.read(); await r.read(); return new Response(x.value, { headers: H() }); });
fetch = app.fetch;
if (mode === "app") {
  const info = { key: "k", size: body.byteLength, etag: "abc", lastModified: new Date() };
  const store = { name: "fake", capabilities: { conditionalWrites: false }, async get() { return { ...info, body: new ReadableStream({ start(c) { c.enqueue(body); c.close(); } }) }; }, async head() { return info; } } as unknown as ObjectStore;
  fetch = createApp({ store, jobs: [] }).fetch;
}
serve({ fetch, hostname: "127.0.0.1", port: 18181 }, () => console.log("ready"));
process.on("SIGINT", () => process.exit(0));
