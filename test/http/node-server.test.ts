import { createApp } from "../../src/http/index.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import { listenOnLoopback } from "../support/listen.ts";
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
  return listenOnLoopback(app);
}

runHttpCases({ name: "@hono/node-server over the memory store", start: startNodeServer });
