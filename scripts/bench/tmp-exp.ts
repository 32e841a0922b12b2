import { readFileSync } from "node:fs";
import { serve } from "@hono/node-server";
import { Hono } from "hono";
import { createApp } from "../../src/http/index.ts";
import { createFsStore } from "../../src/store/fs.ts";
import { createMemoryStore } from "../../src/store/memory.ts";

const mode = process.argv[2];
const root = process.argv[3]!;
let fetch: (r: Request) => Response | Promise<Response>;
if (mode === "hello") {
  const app = new Hono();
  const body = readFileSync(root + "/juju/tools/streams/v1/index2.json");
  app.get("*", (c) => new Response(body, { headers: { "content-type": "application/json" } }));
  fetch = app.fetch;
} else if (mode === "memory") {
  const store = createMemoryStore();
  await store.put(
    "juju/tools/streams/v1/index2.json",
    readFileSync(root + "/juju/tools/streams/v1/index2.json"),
  );
  fetch = createApp({ store, jobs: [] }).fetch;
} else {
  fetch = createApp({ store: createFsStore({ root }), jobs: [] }).fetch;
}
serve({ fetch, hostname: "127.0.0.1", port: 18181 }, () => console.log("ready"));
process.on("SIGINT", () => process.exit(0));
