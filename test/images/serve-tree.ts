import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "../../src/http/index.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";

export interface ServedTree {
  baseUrl: string;
  close(): Promise<void>;
}

/** The streamgate app over a store, on @hono/node-server at 127.0.0.1:0. */
export async function serveTree(store: ObjectStore): Promise<ServedTree> {
  const app = createApp({ store, jobs: ["images"], logError: () => {} });
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
