import { createExecutionContext, env, waitOnExecutionContext } from "cloudflare:test";
import { createApp } from "../../src/http/index.ts";
import { createR2Store } from "../../src/store/r2.ts";
import { seedStore } from "../http/case-seed.ts";
import { createFailingStore } from "../http/failing-store.ts";
import { runHttpCases, type StartOptions } from "../http/http-cases.ts";
import { emptyBucket } from "./empty-bucket.ts";

// The shared HTTP cases, run by the app inside workerd over the R2 binding. Each scenario
// gets its own origin; `fetch` hands requests straight to that scenario's app, as the
// Workers runtime would (worker-entry.test.ts drives the real entry through SELF).
const apps = new Map<string, ReturnType<typeof createApp>>();

async function start(options: StartOptions) {
  const store = options.failing ? createFailingStore() : createR2Store({ bucket: env.MIRROR });
  if (!options.failing) {
    await emptyBucket();
    await seedStore(store, options.seed);
  }
  const app = createApp({
    store,
    jobs: ["agents", "images"],
    ...(options.adminToken === undefined ? {} : { adminToken: options.adminToken }),
    triggerSync: async (job) =>
      job === "images"
        ? { started: false, message: "images is already running" }
        : { started: true, message: "started agents" },
    logError: () => {},
  });
  const origin = `http://scenario-${apps.size}.test`;
  apps.set(origin, app);
  return { baseUrl: origin, close: async () => void apps.delete(origin) };
}

async function dispatch(input: string, init?: RequestInit): Promise<Response> {
  const request = new Request(input, init);
  const app = apps.get(new URL(request.url).origin);
  if (app === undefined) throw new Error(`no scenario serves ${request.url}`);
  const ctx = createExecutionContext();
  const response = await app.fetch(request, env, ctx);
  await waitOnExecutionContext(ctx);
  return response;
}

runHttpCases({ name: "workerd over R2", start, fetch: dispatch, fetchDecodes: false });
