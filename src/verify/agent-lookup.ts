import {
  AGENT_DATATYPE,
  agentContentId,
  agentProductId,
  compareJujuVersions,
  type FlatItem,
  flattenProducts,
  formatJujuVersion,
  type JujuVersion,
  parseMajorMinor,
  parseProducts,
  tryParseJujuVersion,
} from "../core/index.ts";
import { JUJU_TOOLS_PUBLIC_KEY, type VerificationKeys } from "../signing/index.ts";
import type { Sha256 } from "../store/incremental-sha256.ts";
import { entryServesCloud, formatCloud, type LookupCloud } from "./cloud-spec.ts";
import type { MetadataCache } from "./metadata-answer.ts";
import {
  createSourceReader,
  type LoadedIndex,
  type LookupRequest,
  SourceError,
} from "./source-reader.ts";
import { checkTarball } from "./tarball-check.ts";

export type { LookupRequest } from "./source-reader.ts";

export interface AgentLookupOptions {
  /** Juju's `agent-metadata-url`, e.g. `https://mirror.example.com/juju/tools`. */
  baseUrl: string;
  /**
   * The client's version (`3.5.0`) or just its major.minor (`3.5`): bootstrap picks the
   * newest patch of that major.minor the source advertises. A pre-release client
   * (`3.7-beta1`) searches the devel streams, as Juju does.
   */
  jujuVersion: string;
  arch: string;
  /** `agent-stream`; default `released` (`devel` for a pre-release client). */
  stream?: string;
  /** OS type of the agent; default `ubuntu`. */
  os?: string;
  /** Keys signed metadata must verify with. Default: Juju's built-in key. */
  keys?: VerificationKeys;
  /** Do not fall back to unsigned `.json` (like the default streams.canonical.com source). */
  requireSigned?: boolean;
  /** Download the chosen tarball and check its size and sha256. Default true. */
  checkTarball?: boolean;
  /** Only index entries serving this cloud count (Juju passes the model's region). */
  cloud?: LookupCloud;
  fetch?: typeof fetch;
  /** Answers shared with other lookups of the same run (each file is read once). */
  cache?: MetadataCache;
  /** Hash for the tarball check; default a plain JavaScript SHA-256. */
  newHash?: () => Sha256;
}

/** A read Juju gave up on and routed around (a signed file it could not use). */
export interface SkippedRead {
  path: string;
  reason: string;
}

export interface FoundAgent {
  outcome: "found";
  /** The index that answered, relative to the base. */
  index: { path: string; signed: boolean };
  product: { path: string; contentId: string; productId: string };
  /** The stream the chosen agent came from. */
  stream: string;
  version: string;
  /** The item as Juju resolves it (aliases and inheritance applied). */
  item: FlatItem["fields"];
  /** Present when `checkTarball`: downloaded, size and sha256 as the item claims. */
  tarball: { path: string; size: number; sha256: string } | undefined;
  requests: LookupRequest[];
  /** Signed files Juju could not use and fell back from. */
  skipped: SkippedRead[];
}

/**
 * - `not-found`: the source advertises no agent for this client; Juju moves on to its
 *   next source.
 * - `broken`: something that stops Juju from using the source — an index or product file
 *   that is neither served nor a real 404, a version it cannot parse, a signed tree that
 *   does not verify with nothing unsigned behind it, a signed index naming unsigned
 *   files, a tarball that is missing or differs from its item.
 */
export interface NoAgent {
  outcome: "not-found" | "broken";
  reason: string;
  /** The file (relative to the base) the lookup stopped at, when one is to blame. */
  path?: string;
  requests: LookupRequest[];
  skipped: SkippedRead[];
}

export type AgentLookupResult = FoundAgent | NoAgent;

/** Streams searched for an `agent-stream`, most preferred first (environs/tools PreferredStreams). */
export function streamsSearched(stream: string): string[] {
  switch (stream) {
    case "testing":
      return ["testing", "devel", "proposed", "released"];
    case "devel":
      return ["devel", "proposed", "released"];
    case "proposed":
      return ["proposed", "released"];
    default:
      return [stream];
  }
}

interface Candidate {
  item: FlatItem;
  version: JujuVersion;
  productPath: string;
  index: LoadedIndex;
  stream: string;
}

interface Attempt {
  candidates: Candidate[];
  error: SourceError | undefined;
}

function wantedSeries(jujuVersion: string): { major: number; minor: number; dev: boolean } {
  const full = tryParseJujuVersion(jujuVersion);
  if (full !== undefined) return { major: full.major, minor: full.minor, dev: full.tag !== "" };
  return { ...parseMajorMinor(jujuVersion), dev: false };
}

/**
 * Replays the agent lookup a Juju client makes at bootstrap against one metadata source
 * (juju/juju environs/tools FindToolsForCloud + environs/simplestreams GetMetadata): for
 * each stream searched, `index2.sjson`, on not-found `index.sjson`, with `mirrors` next
 * to the index loaded; when that yields nothing and signatures are not required, the same
 * with `.json`; then the product file the stream's index entry names. The newest patch of
 * the client's major.minor for the arch and OS wins, and its tarball is downloaded and
 * checked against its size and sha256. A stream whose unsigned read breaks fails the
 * whole lookup, as in Juju. Runtime-neutral (web `fetch`).
 *
 * @throws {JujuVersionError} when `jujuVersion` is neither X.Y nor a Juju version.
 */
export async function lookupAgent(options: AgentLookupOptions): Promise<AgentLookupResult> {
  const fetchImpl = options.fetch ?? ((input, init) => fetch(input, init));
  const series = wantedSeries(options.jujuVersion);
  const os = options.os ?? "ubuntu";
  const asked = options.stream ?? "released";
  const stream = asked === "released" && series.dev ? "devel" : asked;
  const productId = agentProductId(os, options.arch);
  const reader = createSourceReader({
    baseUrl: options.baseUrl,
    fetch: fetchImpl,
    keys: options.keys ?? JUJU_TOOLS_PUBLIC_KEY,
    ...(options.cache === undefined ? {} : { cache: options.cache }),
  });
  const { requests } = reader;
  const skipped: SkippedRead[] = [];
  const wanted = `${os}/${options.arch} agent ${series.major}.${series.minor}.x`;

  async function attempt(searched: string, signed: boolean): Promise<Attempt> {
    try {
      const loaded = await reader.loadIndex(signed);
      const contentId = agentContentId(searched);
      const entry = Object.hasOwn(loaded.index.index, contentId)
        ? loaded.index.index[contentId]
        : undefined;
      if (entry === undefined || entry.datatype !== AGENT_DATATYPE) {
        throw new SourceError(
          "missing",
          loaded.path,
          `${loaded.path} has no "${AGENT_DATATYPE}" data for ${contentId}`,
        );
      }
      if (options.cloud !== undefined && !entryServesCloud(entry, options.cloud)) {
        throw new SourceError(
          "missing",
          loaded.path,
          `${loaded.path}: index file has no data for cloud ${formatCloud(options.cloud)}`,
        );
      }
      if (!entry.products.includes(productId)) {
        throw new SourceError("missing", loaded.path, `${loaded.path} lists no ${productId}`);
      }
      if (signed && !entry.path.endsWith(".sjson")) {
        throw new SourceError(
          "broken",
          loaded.path,
          `the signed ${loaded.path} names the unsigned product file ${entry.path}; Juju reads it as signed and fails`,
        );
      }
      const { value: products } = await reader.read(entry.path, signed, parseProducts);
      const candidates: Candidate[] = [];
      for (const item of flattenProducts(products)) {
        if (item.productId !== productId || item.fields.release !== os) continue;
        const version = tryParseJujuVersion(item.fields.version ?? "");
        if (version === undefined) {
          throw new SourceError(
            "broken",
            entry.path,
            `${entry.path}: item ${item.itemKey} has version ${JSON.stringify(item.fields.version ?? "")}, which Juju cannot parse (its agent lookup panics)`,
          );
        }
        if (version.major === series.major && version.minor === series.minor) {
          candidates.push({
            item,
            version,
            productPath: entry.path,
            index: loaded,
            stream: searched,
          });
        }
      }
      if (candidates.length === 0) {
        throw new SourceError("missing", entry.path, `${entry.path} lists no ${wanted}`);
      }
      return { candidates, error: undefined };
    } catch (error) {
      if (error instanceof SourceError) return { candidates: [], error };
      throw error;
    }
  }

  // GetMetadata for one stream: signed first; unsigned when signed yields nothing.
  async function fetchStream(searched: string): Promise<Attempt> {
    const signed = await attempt(searched, true);
    if (signed.candidates.length > 0 || options.requireSigned) return signed;
    if (signed.error?.kind === "broken") {
      skipped.push({ path: signed.error.path, reason: signed.error.message });
    }
    return attempt(searched, false);
  }

  const candidates: Candidate[] = [];
  const seen = new Set<string>();
  let lastMissing: SourceError | undefined;
  for (const searched of streamsSearched(stream)) {
    const result = await fetchStream(searched);
    if (result.error?.kind === "broken") {
      const { message: reason, path } = result.error;
      return { outcome: "broken", reason, path, requests, skipped };
    }
    if (result.error !== undefined) lastMissing = result.error;
    for (const candidate of result.candidates) {
      // A version already found in a more preferred stream is not added again.
      const key = `${formatJujuVersion(candidate.version)}|${candidate.item.fields.release}|${options.arch}`;
      if (seen.has(key)) continue;
      seen.add(key);
      candidates.push(candidate);
    }
  }
  if (candidates.length === 0) {
    const [firstSkipped] = skipped;
    if (firstSkipped !== undefined) {
      const { reason, path } = firstSkipped;
      return { outcome: "broken", reason, path, requests, skipped };
    }
    return {
      outcome: "not-found",
      reason: `no ${stream} ${wanted} is advertised`,
      ...(lastMissing === undefined ? {} : { path: lastMissing.path }),
      requests,
      skipped,
    };
  }
  candidates.sort((a, b) => compareJujuVersions(b.version, a.version));
  const best = candidates[0] as Candidate;
  const { fields } = best.item;
  let tarball: FoundAgent["tarball"];
  if (options.checkTarball !== false) {
    const path = fields.path ?? "";
    const checked = await checkTarball(
      fetchImpl,
      reader.baseUrl,
      { path, size: fields.size ?? -1, sha256: fields.sha256 ?? "" },
      options.newHash,
    );
    requests.push({ path, status: checked.ok ? 200 : checked.status });
    if (!checked.ok) return { outcome: "broken", reason: checked.reason, path, requests, skipped };
    tarball = { path, size: checked.size, sha256: checked.sha256 };
  }
  return {
    outcome: "found",
    index: { path: best.index.path, signed: best.index.signed },
    product: {
      path: best.productPath,
      contentId: best.item.contentId ?? agentContentId(best.stream),
      productId,
    },
    stream: best.stream,
    version: formatJujuVersion(best.version),
    item: fields,
    tarball,
    requests,
    skipped,
  };
}
