import pLimit from "p-limit";
import {
  JUJU_TOOLS_KEY_FINGERPRINT,
  JUJU_TOOLS_PUBLIC_KEY,
  type VerificationKeys,
} from "../signing/index.ts";
import type { Sha256 } from "../store/incremental-sha256.ts";
import { lookupAgent } from "./agent-lookup.ts";
import { checkSource, type SourceInventory } from "./check-source.ts";
import { formatCloud, type LookupCloud } from "./cloud-spec.ts";
import { createFindings, type Findings, type VerifyArea } from "./findings.ts";
import { formatImageBase, parseImageBase } from "./image-base.ts";
import { lookupImage } from "./image-lookup.ts";
import { joinMetadataUrl, type MetadataCache } from "./metadata-answer.ts";
import { planAgentLookups, planImageLookups } from "./plan-lookups.ts";
import type {
  AgentPick,
  AgentsReport,
  ImagePick,
  ImagesReport,
  TarballSummary,
  VerifyReport,
} from "./report.ts";
import { checkTarball } from "./tarball-check.ts";

export interface VerifyMirrorOptions {
  /** `agent-metadata-url` to check, e.g. `https://mirror/juju/tools`; absent: agents not checked. */
  agentsUrl?: string;
  /** `image-metadata-url` to check, e.g. `https://mirror/images`; absent: images not checked. */
  imagesUrl?: string;
  /** The operator pointed at the agents (a flag named them): a tree without any index is a problem. */
  requireAgents?: boolean;
  /** Likewise for images. */
  requireImages?: boolean;
  /** Keys agent metadata is verified with. Default: Juju's built-in key, the only one Juju uses. */
  agentKeys?: VerificationKeys;
  /** How the agent key is named in messages; default `Juju's built-in agent key (…)`. */
  agentKeyLabel?: string;
  /** The operator's public key (`JUJU_STREAMS_PUBLICKEY_FILE`); absent: image signatures unchecked. */
  imageKeys?: VerificationKeys;
  /** How the image key is named in messages; default `image key`. */
  imageKeyLabel?: string;
  /** The client version to replay bootstrap for; absent: every advertised series. */
  jujuVersion?: string;
  /** Narrows agent and image lookups to one architecture. */
  arch?: string;
  /** `agent-stream`; absent: every advertised stream (or Juju's default with `jujuVersion`). */
  agentStream?: string;
  /** The cloud to replay image lookups for; absent: every cloud the image index serves. */
  cloud?: LookupCloud;
  /** `ubuntu@24.04`: narrows image lookups to one base. */
  base?: string;
  /** Download every tarball a product file names and check size and sha256. Default true. */
  checkTarballs?: boolean;
  /** Parallel tarball downloads. Default 4. */
  concurrency?: number;
  fetch?: typeof fetch;
  /** Hash for tarballs; default a plain JavaScript SHA-256 (Node passes its native one). */
  newHash?: () => Sha256;
  /** Called after each tarball is checked. */
  onTarball?: (progress: { done: number; total: number; path: string }) => void;
}

const DEFAULT_AGENT_KEY_LABEL = `Juju's built-in agent key (${JUJU_TOOLS_KEY_FINGERPRINT.slice(-16)})`;

/**
 * Replays what Juju does with a mirror (juju-contract §1–7) and reports every way it
 * would fail: each metadata tree is read strictly — all index files, mirrors, every
 * product file a served index names, signatures checked with the key Juju would use —
 * every tarball named is downloaded and checked (size, sha256, no redirect, no
 * Content-Encoding), then Juju's agent lookup (bootstrap's newest patch per series,
 * arch and stream) and image lookup (per cloud region, base and arch) are replayed.
 * Runtime-neutral (web `fetch`, web streams).
 *
 * @throws {TypeError} for options that make no sense (no tree to check, a malformed base).
 */
export async function verifyMirror(options: VerifyMirrorOptions): Promise<VerifyReport> {
  if (options.agentsUrl === undefined && options.imagesUrl === undefined) {
    throw new TypeError("Expected `agentsUrl` or `imagesUrl`: there is nothing to verify");
  }
  const baseVersion = options.base === undefined ? undefined : parseImageBase(options.base);
  if (options.base !== undefined && baseVersion === undefined) {
    throw new TypeError(
      `Expected \`base\` to be ubuntu@YY.MM (e.g. ubuntu@24.04), got ${options.base}`,
    );
  }
  const fetchImpl: typeof fetch = options.fetch ?? ((input, init) => fetch(input, init));
  const cache: MetadataCache = new Map();
  const findings = createFindings();

  const agents =
    options.agentsUrl === undefined
      ? undefined
      : await verifyAgents(options, options.agentsUrl, fetchImpl, cache, findings);
  const images =
    options.imagesUrl === undefined
      ? undefined
      : await verifyImages(options, options.imagesUrl, baseVersion, fetchImpl, cache, findings);

  const checked = [agents, images].filter((report) => report !== undefined);
  if (checked.every((report) => !report.served) && findings.problems.length === 0) {
    const [first] = checked;
    findings.problem({
      area: agents === undefined ? "images" : "agents",
      file: "streams/v1/index2.sjson",
      url: joinMetadataUrl(first?.baseUrl ?? "", "streams/v1/index2.sjson"),
      message: `no index is served at ${checked.map((report) => report.baseUrl).join(" or ")}: every index file answers 404`,
      juju: "Juju finds nothing in this mirror; is the URL (or directory) right?",
    });
  }
  return {
    ok: findings.problems.length === 0,
    agents,
    images,
    problems: findings.problems,
    notes: findings.notes,
  };
}

function reportUnserved(
  findings: Findings,
  area: VerifyArea,
  baseUrl: string,
  required: boolean | undefined,
): void {
  const file = "streams/v1/index2.sjson";
  if (!required) {
    findings.note(area, undefined, `nothing is served at ${baseUrl}: every index file answers 404`);
    return;
  }
  findings.problem({
    area,
    file,
    url: joinMetadataUrl(baseUrl, file),
    message:
      "no index is served here: index2.sjson, index.sjson, index2.json and index.json all answer 404",
    juju:
      area === "agents"
        ? 'Juju finds no agents in this source; with no other source, bootstrap fails ("no matching agent binaries available")'
        : "Juju finds no image metadata in this source; with no other source, it cannot start machines",
  });
}

function inventoryReport(inventory: SourceInventory) {
  return {
    baseUrl: inventory.baseUrl,
    served: inventory.served,
    indexes: inventory.indexes,
    mirrors: inventory.mirrors,
    productFiles: inventory.productFiles,
  };
}

async function checkAllTarballs(
  options: VerifyMirrorOptions,
  inventory: SourceInventory,
  fetchImpl: typeof fetch,
  findings: Findings,
): Promise<{ summary: TarballSummary; failed: Set<string> }> {
  const failed = new Set<string>();
  const total = inventory.tarballs.length;
  if (options.checkTarballs === false) {
    return { summary: { named: total, checked: 0, failed: 0, bytes: 0, skipped: true }, failed };
  }
  const limit = pLimit(options.concurrency ?? 4);
  let done = 0;
  let bytes = 0;
  await Promise.all(
    inventory.tarballs.map((claim) =>
      limit(async () => {
        const checked = await checkTarball(fetchImpl, inventory.baseUrl, claim, options.newHash);
        done++;
        options.onTarball?.({ done, total, path: claim.path });
        if (checked.ok) {
          bytes += checked.size;
          return;
        }
        failed.add(claim.path);
        findings.problem({
          area: "agents",
          file: claim.path,
          url: checked.url,
          message: `${checked.reason}; named by ${claim.namedBy.join(", ")}`,
          juju:
            checked.status === 404
              ? "Juju offers this agent and the download fails: bootstrap (curl -sSf) or the controller cannot fetch it"
              : "Juju offers this agent and rejects the download: bootstrap or the controller cannot install it",
        });
      }),
    ),
  );
  return {
    summary: { named: total, checked: total, failed: failed.size, bytes, skipped: false },
    failed,
  };
}

async function verifyAgents(
  options: VerifyMirrorOptions,
  baseUrl: string,
  fetchImpl: typeof fetch,
  cache: MetadataCache,
  findings: Findings,
): Promise<AgentsReport> {
  const keys = options.agentKeys ?? JUJU_TOOLS_PUBLIC_KEY;
  const inventory = await checkSource({
    area: "agents",
    baseUrl,
    keys,
    keyLabel: options.agentKeyLabel ?? DEFAULT_AGENT_KEY_LABEL,
    fetch: fetchImpl,
    cache,
    findings,
  });
  if (!inventory.served) {
    reportUnserved(findings, "agents", inventory.baseUrl, options.requireAgents);
    return {
      ...inventoryReport(inventory),
      tarballs: {
        named: 0,
        checked: 0,
        failed: 0,
        bytes: 0,
        skipped: options.checkTarballs === false,
      },
      lookups: [],
    };
  }
  const { summary, failed } = await checkAllTarballs(options, inventory, fetchImpl, findings);
  const lookups: AgentPick[] = [];
  const planned = planAgentLookups(inventory, {
    ...(options.jujuVersion === undefined ? {} : { jujuVersion: options.jujuVersion }),
    ...(options.arch === undefined ? {} : { arch: options.arch }),
    ...(options.agentStream === undefined ? {} : { stream: options.agentStream }),
  });
  if (planned.length === 0) {
    findings.note("agents", undefined, "no agent is advertised for the lookups asked for");
  }
  for (const lookup of planned) {
    const result = await lookupAgent({
      baseUrl: inventory.baseUrl,
      jujuVersion: lookup.jujuVersion,
      arch: lookup.arch,
      os: lookup.os,
      ...(lookup.stream === undefined ? {} : { stream: lookup.stream }),
      keys,
      checkTarball: false,
      fetch: fetchImpl,
      cache,
    });
    const client = `a Juju ${lookup.jujuVersion} client on ${lookup.os}/${lookup.arch} (agent-stream ${lookup.stream ?? "default"})`;
    if (result.outcome === "found") {
      const path = result.item.path ?? "";
      lookups.push({
        ...lookup,
        outcome: "found",
        version: result.version,
        stream: result.stream,
        index: result.index.path,
        product: result.product.path,
        tarball: path,
        tarballOk: options.checkTarballs === false ? undefined : !failed.has(path),
      });
      continue;
    }
    lookups.push({ ...lookup, outcome: result.outcome, reason: result.reason });
    const file = result.path ?? "streams/v1/index2.sjson";
    findings.problem({
      area: "agents",
      file,
      url: joinMetadataUrl(inventory.baseUrl, file),
      message: `${client} ${result.outcome === "broken" ? "cannot use this mirror" : "finds no agent"}: ${result.reason}`,
      juju: 'with no other agent source, bootstrap fails ("no matching agent binaries available")',
    });
  }
  return { ...inventoryReport(inventory), tarballs: summary, lookups };
}

async function verifyImages(
  options: VerifyMirrorOptions,
  baseUrl: string,
  baseVersion: string | undefined,
  fetchImpl: typeof fetch,
  cache: MetadataCache,
  findings: Findings,
): Promise<ImagesReport> {
  const keys = options.imageKeys;
  const inventory = await checkSource({
    area: "images",
    baseUrl,
    keys,
    keyLabel: options.imageKeyLabel ?? "image key (--image-key)",
    fetch: fetchImpl,
    cache,
    findings,
  });
  if (!inventory.served) {
    reportUnserved(findings, "images", inventory.baseUrl, options.requireImages);
    return { ...inventoryReport(inventory), lookups: [] };
  }
  const planned = planImageLookups(inventory, {
    ...(options.cloud === undefined ? {} : { cloud: options.cloud }),
    ...(baseVersion === undefined ? {} : { version: baseVersion }),
    ...(options.arch === undefined ? {} : { arch: options.arch }),
  });
  if (planned.length === 0 && options.cloud !== undefined) {
    if (baseVersion !== undefined) {
      planned.push({
        ...options.cloud,
        version: baseVersion,
        arch: options.arch ?? "amd64",
        stream: "released",
      });
    } else {
      findings.problem({
        area: "images",
        file: "streams/v1/index.sjson",
        url: joinMetadataUrl(inventory.baseUrl, "streams/v1/index.sjson"),
        message: `no image index entry serves cloud ${formatCloud(options.cloud)} with items for its region`,
        juju: `Juju finds no image metadata for the cloud here ("index file has no data for cloud ${formatCloud(options.cloud)}")`,
      });
    }
  }
  const lookups: ImagePick[] = [];
  for (const lookup of planned) {
    const result = await lookupImage({
      baseUrl: inventory.baseUrl,
      region: lookup.region,
      endpoint: lookup.endpoint,
      version: lookup.version,
      arch: lookup.arch,
      stream: lookup.stream,
      ...(keys === undefined ? {} : { keys }),
      fetch: fetchImpl,
      cache,
    });
    const pick = { ...lookup, base: formatImageBase(lookup.version) };
    if (result.outcome === "found") {
      lookups.push({
        ...pick,
        outcome: "found",
        id: result.id,
        index: result.index.path,
        product: result.product.path,
        versionKey: result.versionKey,
      });
      continue;
    }
    lookups.push({ ...pick, outcome: result.outcome, reason: result.reason });
    const file = result.path ?? "streams/v1/index.sjson";
    findings.problem({
      area: "images",
      file,
      url: joinMetadataUrl(inventory.baseUrl, file),
      message: `${pick.base} ${lookup.arch} (${lookup.stream}) in ${formatCloud(lookup)}: ${result.outcome === "broken" ? "Juju cannot use this mirror" : "Juju finds no image"}: ${result.reason}`,
      juju: `with no other image source, Juju cannot start the machine (no metadata for "${pick.base}" images in ${lookup.region} with arch ${lookup.arch})`,
    });
  }
  return { ...inventoryReport(inventory), lookups };
}
