import {
  AGENT_DATATYPE,
  agentContentId,
  agentProductId,
  compareJujuVersions,
  type FlatItem,
  flattenProducts,
  formatJujuVersion,
  type Index,
  type JujuVersion,
  type Products,
  parseIndex,
  parseJsonDocument,
  parseMajorMinor,
  parseProducts,
  tryParseJujuVersion,
} from "../core/index.ts";
import {
  JUJU_TOOLS_PUBLIC_KEY,
  type VerificationKeys,
  verifyClearsigned,
} from "../signing/index.ts";
import { createSha256 } from "../store/incremental-sha256.ts";

export interface AgentLookupOptions {
  /** Juju's `agent-metadata-url`, e.g. `https://mirror.example.com/juju/tools`. */
  baseUrl: string;
  /**
   * The client's version (`3.5.0`) or just its major.minor (`3.5`): bootstrap picks the
   * newest patch of that major.minor the source advertises.
   */
  jujuVersion: string;
  arch: string;
  /** `agent-stream`; default `released`. */
  stream?: string;
  /** OS type of the agent; default `ubuntu`. */
  os?: string;
  /** Keys signed metadata must verify with. Default: Juju's built-in key. */
  keys?: VerificationKeys;
  /** Do not fall back to unsigned `.json` (like the default streams.canonical.com source). */
  requireSigned?: boolean;
  /** Download the chosen tarball and check its size and sha256. Default true. */
  checkTarball?: boolean;
  fetch?: typeof fetch;
}

/** One request the lookup made and the status it got. */
export interface LookupRequest {
  path: string;
  status: number;
}

export interface FoundAgent {
  outcome: "found";
  /** The index that answered, relative to the base. */
  index: { path: string; signed: boolean };
  product: { path: string; contentId: string; productId: string };
  version: string;
  /** The item as Juju resolves it (aliases and inheritance applied). */
  item: FlatItem["fields"];
  /** Present when `checkTarball`: downloaded, size and sha256 as the item claims. */
  tarball: { path: string; size: number; sha256: string } | undefined;
  requests: LookupRequest[];
}

/**
 * - `not-found`: the source advertises no agent for this client; Juju moves on to its
 *   next source.
 * - `broken`: something Juju would fail on — an index or product file that is neither
 *   served nor a real 404, a bad signature, a signed index naming unsigned files, a
 *   tarball that is missing or differs from its item.
 */
export interface NoAgent {
  outcome: "not-found" | "broken";
  reason: string;
  requests: LookupRequest[];
}

export type AgentLookupResult = FoundAgent | NoAgent;

/** Streams searched for an `agent-stream` (juju-contract §5). */
export function streamsSearched(stream: string): string[] {
  switch (stream) {
    case "devel":
      return ["devel", "proposed", "released"];
    case "proposed":
      return ["proposed", "released"];
    case "released":
      return ["released"];
    default:
      return [stream, "released"];
  }
}

const SIGNED_INDEXES = ["streams/v1/index2.sjson", "streams/v1/index.sjson"];
const UNSIGNED_INDEXES = ["streams/v1/index2.json", "streams/v1/index.json"];
// Juju treats 401 like 404 for metadata (juju-contract §2).
const MISSING = new Set([404, 401]);

class Broken extends Error {}

interface Fetched {
  status: number;
  bytes: Uint8Array;
}

function wantedSeries(jujuVersion: string): { major: number; minor: number } {
  const full = tryParseJujuVersion(jujuVersion);
  return full ?? parseMajorMinor(jujuVersion);
}

/**
 * Replays the agent lookup a Juju client makes at bootstrap against one metadata source,
 * over HTTP: `index2.sjson`, `index.sjson` (and, unless signatures are required, the
 * `.json` twins), `mirrors` next to the index it loads, the product file of each stream
 * searched, the newest patch of the client's major.minor for the arch and OS, and that
 * tarball, checked against its size and sha256. Runtime-neutral (web `fetch`).
 *
 * @throws {TypeError} when `jujuVersion` is neither X.Y nor a Juju version.
 */
export async function lookupAgent(options: AgentLookupOptions): Promise<AgentLookupResult> {
  const base = options.baseUrl.replace(/\/+$/, "");
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const series = wantedSeries(options.jujuVersion);
  const os = options.os ?? "ubuntu";
  const stream = options.stream ?? "released";
  const productId = agentProductId(os, options.arch);
  const keys = options.keys ?? JUJU_TOOLS_PUBLIC_KEY;
  const requests: LookupRequest[] = [];

  async function get(path: string): Promise<Fetched> {
    const response = await fetchImpl(`${base}/${path}`);
    const bytes = new Uint8Array(await response.arrayBuffer());
    requests.push({ path, status: response.status });
    return { status: response.status, bytes };
  }

  async function readDocument<T>(
    path: string,
    signed: boolean,
    parse: (value: unknown) => T,
    fetched?: Fetched,
  ): Promise<T> {
    const { status, bytes } = fetched ?? (await get(path));
    if (status !== 200) throw new Broken(`${path} answered HTTP ${status}`);
    let text: string;
    try {
      text = signed
        ? (await verifyClearsigned(bytes, keys)).text
        : new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    } catch (error) {
      throw new Broken(`${path}: ${(error as Error).message}`);
    }
    try {
      return parse(parseJsonDocument(text));
    } catch (error) {
      throw new Broken(`${path} is not valid: ${(error as Error).message}`);
    }
  }

  async function checkMirrors(signed: boolean): Promise<void> {
    const path = `streams/v1/mirrors.${signed ? "sjson" : "json"}`;
    const { status } = await get(path);
    if (status !== 200 && !MISSING.has(status)) {
      throw new Broken(`${path} answered HTTP ${status}; it must be served or a real 404`);
    }
  }

  async function searchIndex(
    indexPath: string,
    index: Index,
    signed: boolean,
  ): Promise<FoundAgent | undefined> {
    const candidates: { item: FlatItem; version: JujuVersion; path: string }[] = [];
    for (const searched of streamsSearched(stream)) {
      const contentId = agentContentId(searched);
      const entry = index.index[contentId];
      if (entry === undefined || entry.datatype !== AGENT_DATATYPE) continue;
      if (!entry.products.includes(productId)) continue;
      if (signed && !entry.path.endsWith(".sjson")) {
        throw new Broken(`the signed ${indexPath} names the unsigned product file ${entry.path}`);
      }
      const products: Products = await readDocument(entry.path, signed, parseProducts);
      for (const item of flattenProducts(products)) {
        const { fields } = item;
        if (item.productId !== productId || fields.release !== os || fields.arch !== options.arch) {
          continue;
        }
        const version = tryParseJujuVersion(fields.version ?? "");
        if (version === undefined) {
          throw new Broken(`${entry.path}: item ${item.itemKey} has a version Juju cannot parse`);
        }
        if (version.major === series.major && version.minor === series.minor) {
          candidates.push({ item, version, path: entry.path });
        }
      }
    }
    if (candidates.length === 0) return undefined;
    candidates.sort((a, b) => compareJujuVersions(b.version, a.version));
    const best = candidates[0] as (typeof candidates)[number];
    const { fields } = best.item;
    const tarball = options.checkTarball === false ? undefined : await checkTarball(fields);
    return {
      outcome: "found",
      index: { path: indexPath, signed },
      product: { path: best.path, contentId: best.item.contentId ?? "", productId },
      version: formatJujuVersion(best.version),
      item: fields,
      tarball,
      requests,
    };
  }

  async function checkTarball(fields: FlatItem["fields"]) {
    const path = fields.path ?? "";
    const response = await fetchImpl(`${base}/${path}`);
    requests.push({ path, status: response.status });
    if (response.status !== 200 || response.body === null) {
      await response.body?.cancel();
      throw new Broken(`tarball ${path} answered HTTP ${response.status}`);
    }
    if (response.headers.get("content-encoding") !== null) {
      await response.body.cancel();
      throw new Broken(`tarball ${path} is sent with Content-Encoding; Juju's check would fail`);
    }
    const hash = createSha256();
    let size = 0;
    for await (const chunk of response.body) {
      hash.update(chunk);
      size += chunk.byteLength;
    }
    const sha256 = hash.digestHex();
    if (size !== fields.size || sha256 !== fields.sha256) {
      throw new Broken(
        `tarball ${path} has ${size} bytes, sha256 ${sha256}; its item claims ${fields.size} bytes, sha256 ${fields.sha256}`,
      );
    }
    return { path, size, sha256 };
  }

  try {
    for (const signed of options.requireSigned ? [true] : [true, false]) {
      for (const path of signed ? SIGNED_INDEXES : UNSIGNED_INDEXES) {
        const fetched = await get(path);
        if (MISSING.has(fetched.status)) continue;
        const index = await readDocument(path, signed, parseIndex, fetched);
        await checkMirrors(signed);
        const found = await searchIndex(path, index, signed);
        if (found !== undefined) return found;
      }
    }
  } catch (error) {
    if (error instanceof Broken) return { outcome: "broken", reason: error.message, requests };
    throw error;
  }
  return {
    outcome: "not-found",
    reason: `no ${stream} agent ${series.major}.${series.minor}.x for ${os}/${options.arch} is advertised`,
    requests,
  };
}
