/**
 * @module
 * Node-only pieces of the agents job: key files, `file://` upstreams and http(s) read over
 * `node:http`. Imported by the Node entry points (`streamgate serve`, `streamgate sync`),
 * never by the Worker.
 */
import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { AgentsJobConfig } from "../config/schema.ts";
import { createFileTransport } from "../upstream/file-transport.ts";
import type { Upstream } from "../upstream/index.ts";
import { createNodeFetch } from "../upstream/node-fetch.ts";
import { openAgentsUpstream } from "./agents-upstream.ts";

export interface NodeUpstreamOptions {
  /** Folder a relative key path resolves against. Default `process.cwd()`. */
  cwd?: string;
}

/** `openAgentsUpstream` with key files, `file://` upstreams and `node:http` available. */
export function openNodeAgentsUpstream(
  config: Pick<AgentsJobConfig, "upstream" | "upstreamKey" | "allowUnsignedUpstream">,
  options: NodeUpstreamOptions = {},
): Promise<Upstream> {
  return openAgentsUpstream(config, {
    readKeyFile: async (path) => {
      const file = resolve(options.cwd ?? process.cwd(), path);
      try {
        return await readFile(file, "utf8");
      } catch (error) {
        throw new Error(
          `[streamgate] [agents] cannot read the upstream key ${file}: ${(error as Error).message}`,
          { cause: error },
        );
      }
    },
    fileTransport: () => createFileTransport(),
    fetch: createNodeFetch(),
  });
}
