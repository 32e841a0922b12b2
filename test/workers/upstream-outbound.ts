import { readFile } from "node:fs/promises";
import { join, normalize } from "node:path";

/** Where upstream-setup.ts put the local upstream tree (set in the Node process). */
export const UPSTREAM_ROOT_VARIABLE = "STREAMGATE_WORKERS_UPSTREAM_ROOT";

/** The host the Worker tests use as upstream: `http://upstream.test/juju/tools`. */
export const UPSTREAM_HOST = "upstream.test";

/**
 * Each tarball answers this much later, so that a sync under a short time budget needs
 * several scheduled batches, as a large mirror does under the real 10-minute budget.
 */
const TARBALL_DELAY_MS = 150;

/**
 * Miniflare's outbound handler for the Workers project: every `fetch` the Worker makes
 * lands here, in Node. `upstream.test` is served from the local fixture tree; anything
 * else is refused, so no test can reach the network.
 */
export async function serveUpstream(request: Request): Promise<Response> {
  const url = new URL(request.url);
  const root = process.env[UPSTREAM_ROOT_VARIABLE];
  if (url.hostname !== UPSTREAM_HOST || root === undefined) {
    return new Response(`outbound request refused in tests: ${request.url}`, { status: 599 });
  }
  const path = normalize(decodeURIComponent(url.pathname));
  if (path.includes("..")) return new Response("bad path", { status: 400 });
  if (path.endsWith(".tgz")) await new Promise((resolve) => setTimeout(resolve, TARBALL_DELAY_MS));
  try {
    const bytes = await readFile(join(root, path));
    return new Response(bytes, { headers: { "content-length": String(bytes.byteLength) } });
  } catch {
    return new Response("not found", { status: 404 });
  }
}
