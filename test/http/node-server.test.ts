import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "../../src/http/index.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { seedStore } from "./case-seed.ts";
import { createFailingStore } from "./failing-store.ts";
import { runHttpCases, type StartedServer, type StartOptions } from "./http-cases.ts";

async function startNodeServer(options: StartOptions): Promise<StartedServer> {
  const store = options.failing ? createFailingStore() : createMemoryStore();
  if (!options.failing) await seedStore(store, options.seed);
  const app = createApp({
    store,
    jobs: ["agents", "images"],
    ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
    triggerSync: async (job) =>
      job === "images"
        ? { started: false, message: "images is already running" }
        : { started: true, message: "started agents" },
    // The failing scenario fails on purpose; keep its expected errors out of the output.
    logError: () => {},
  });
  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const listening = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, () =>
      resolve(listening),
    );
    listening.once("error", reject);
  });
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        if ("closeAllConnections" in server) server.closeAllConnections();
      }),
  };
}

runHttpCases({ name: "@hono/node-server over the memory store", start: startNodeServer });
