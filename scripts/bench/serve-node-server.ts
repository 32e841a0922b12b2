/**
 * The Node server of `npm run bench:serve`, run as its own process so the load generator
 * and the bench never share its event loop: the app over the fs store on
 * @hono/node-server, as `startServer` wires it, without the scheduler.
 *
 *   node scripts/bench/serve-node-server.ts ROOT      prints `listening http://…` when ready
 */
import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { createApp } from "../../src/http/index.ts";
import { createFsStore } from "../../src/store/fs.ts";

const root = process.argv[2];
if (root === undefined) {
  console.error("usage: node scripts/bench/serve-node-server.ts ROOT");
  process.exit(2);
}

const app = createApp({ store: createFsStore({ root }), jobs: [] });
const server = serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 0 }, (info: AddressInfo) => {
  process.stdout.write(`listening http://127.0.0.1:${info.port}\n`);
});
process.once("SIGTERM", () => {
  server.close();
  if ("closeAllConnections" in server) server.closeAllConnections();
});
