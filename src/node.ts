import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import type { Config } from "./config/schema.ts";
import { createApp, createMetrics } from "./http/index.ts";
import { createNodeImagesJob } from "./images/node-images.ts";
import { jobsFromConfig } from "./jobs/configured-jobs.ts";
import { openNodeAgentsUpstream } from "./jobs/node-upstream.ts";
import type { Job } from "./scheduler/job.ts";
import type { JobName } from "./scheduler/job-state.ts";
import { createScheduler, type Scheduler } from "./scheduler/scheduler.ts";
import { openStore } from "./store/open-store.ts";

export interface StartServerOptions {
  config: Config;
  /** Enables `POST /admin/sync`; from `STREAMGATE_ADMIN_TOKEN`, never from a file. */
  adminToken?: string;
  /** Jobs to schedule; default: the ones the configuration asks for. */
  jobs?: Job[];
  cwd?: string;
  log?: (message: string) => void;
}

export interface RunningServer {
  /** `http://host:port` the server listens on (the real port when 0 was asked for). */
  url: string;
  scheduler: Scheduler;
  close(): Promise<void>;
}

function formatUrl(address: AddressInfo): string {
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return `http://${host}:${address.port}`;
}

/** The Node entry behind `streamgate serve` / `npm start`: store + app + scheduler. */
export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const { config } = options;
  const log = options.log ?? ((message: string) => process.stderr.write(`${message}\n`));
  const cwd = options.cwd ?? process.cwd();
  const store = await openStore(config.store, { cwd });
  const metrics = createMetrics();
  const jobs =
    options.jobs ??
    jobsFromConfig(config, {
      openUpstream: (agents) => openNodeAgentsUpstream(agents, { cwd }),
      imagesJob: (images) => createNodeImagesJob(images, { cwd }),
    });
  const scheduler = createScheduler({
    jobs,
    store,
    log,
    onFinished: (job, run) => metrics.recordSync(job.name, run.outcome, run.durationMs ?? 0),
  });
  const app = createApp({
    store,
    metrics,
    jobs: jobs.map((job) => job.name),
    ...(options.adminToken ? { adminToken: options.adminToken } : {}),
    triggerSync: async (job: JobName | undefined) => {
      const names = job === undefined ? jobs.map((candidate) => candidate.name) : [job];
      const results = names.map((name) => scheduler.trigger(name));
      return {
        started: results.some((result) => result.started),
        message: results.map((result) => result.message).join("; ") || "no job is configured",
      };
    },
  });

  const server = await new Promise<ReturnType<typeof serve>>((resolve, reject) => {
    const listening = serve(
      { fetch: app.fetch, hostname: config.listen.host, port: config.listen.port },
      () => resolve(listening),
    );
    listening.once("error", reject);
  });
  const url = formatUrl(server.address() as AddressInfo);
  scheduler.start();
  return {
    url,
    scheduler,
    async close() {
      await scheduler.stop();
      await new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        if ("closeAllConnections" in server) server.closeAllConnections();
      });
    },
  };
}
