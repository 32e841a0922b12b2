import type { AgentsJobConfig } from "../config/schema.ts";
import {
  createHttpTransport,
  createUpstream,
  type Upstream,
  type UpstreamTransport,
} from "../upstream/index.ts";

export interface AgentsUpstreamRuntime {
  /** Reads an armored key file (`agents.upstreamKey: ./key.asc`); Node only. */
  readKeyFile?: (path: string) => Promise<string>;
  /** Transport for `file://` upstreams; Node only (`createFileTransport`). */
  fileTransport?: () => UpstreamTransport;
  /** The `fetch` http(s) upstreams are read with. Default: the runtime's global `fetch`. */
  fetch?: typeof fetch;
}

const ARMORED_KEY = "-----BEGIN PGP PUBLIC KEY BLOCK-----";

/**
 * The upstream an `agents` block names, with its key: `builtin` (Juju's own key), an
 * armored key written inline (handy in a Worker's JSON config), or a key file. http(s)
 * upstreams work everywhere; `file://` upstreams and key files need the Node runtime.
 */
export async function openAgentsUpstream(
  config: Pick<AgentsJobConfig, "upstream" | "upstreamKey" | "allowUnsignedUpstream">,
  runtime: AgentsUpstreamRuntime = {},
): Promise<Upstream> {
  const { upstream, upstreamKey } = config;
  let keys: string | undefined;
  if (upstreamKey.trimStart().startsWith(ARMORED_KEY)) keys = upstreamKey;
  else if (upstreamKey !== "builtin") {
    if (runtime.readKeyFile === undefined) {
      throw new Error(
        `[streamgate] [agents] upstreamKey ${JSON.stringify(upstreamKey)} is a key file, which this runtime cannot read; use "builtin" or the armored key itself`,
      );
    }
    keys = await runtime.readKeyFile(upstreamKey);
  }
  let transport: UpstreamTransport;
  if (upstream.startsWith("file:")) {
    if (runtime.fileTransport === undefined) {
      throw new Error(
        `[streamgate] [agents] the upstream ${upstream} is a file:// tree, which this runtime cannot read; use an http(s):// upstream`,
      );
    }
    transport = runtime.fileTransport();
  } else {
    transport = createHttpTransport(runtime.fetch === undefined ? {} : { fetch: runtime.fetch });
  }
  return createUpstream({
    base: upstream,
    transport,
    ...(keys === undefined ? {} : { keys }),
    allowUnsigned: config.allowUnsignedUpstream,
  });
}
