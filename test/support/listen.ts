import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";

export interface ListeningApp {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  baseUrl: string;
  close(): Promise<void>;
}

/** Serves a hono app (or any fetch handler) with @hono/node-server on 127.0.0.1 and a free port. */
export async function listenOnLoopback(app: {
  fetch: (request: Request) => Response | Promise<Response>;
}): Promise<ListeningApp> {
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
