import { parseAgentContentId } from "./agent-content-id.ts";
import type { FlatItem } from "./flatten.ts";
import {
  compareJujuVersions,
  formatJujuVersion,
  type JujuVersion,
  parseMajorMinor,
  tryParseJujuVersion,
} from "./juju-version.ts";

/**
 * Which agent binaries to mirror. Every field is optional; an empty filter keeps every
 * valid `:agents` item. Filters combine with AND, except `pins`, which bypass the version
 * range and `keep` (but not streams, arches or OSes).
 */
export interface AgentFilter {
  /** Streams to keep (`released`, `proposed`, `devel`, `testing`); all when absent. */
  streams?: readonly string[];
  /**
   * Oldest major.minor kept, `X.Y`, inclusive. `latest` is the newest major.minor present
   * *in each stream* (so `released` 3.6 is not dropped because `devel` has 4.0), at or
   * below `maxVersion` when that is set.
   */
  minVersion?: string;
  /** Newest major.minor kept, `X.Y`, inclusive. */
  maxVersion?: string;
  /** Item `arch` values to keep (`amd64`, `arm64`…); all when absent. */
  arches?: readonly string[];
  /**
   * OSes to keep: item `release` for agents (`ubuntu`, `centos`). Legacy tools items name
   * a series (`focal`); they match `ubuntu` when their product id names an Ubuntu version
   * (`com.ubuntu.juju:20.04:amd64`), or their series directly.
   */
  oses?: readonly string[];
  /** Also select legacy `:tools` content ids (Juju ≤ 2.8). Default false. */
  legacyTools?: boolean;
  /** Keep only the newest N versions of each major.minor, per stream. */
  keep?: number;
  /** Versions always kept (`3.5.4`), whatever the range and `keep` say. */
  pins?: readonly string[];
}

/** A valid agent item, with what Juju reads from it resolved and parsed. */
export interface AgentItem extends FlatItem {
  contentId: string;
  stream: string;
  legacy: boolean;
  version: JujuVersion;
  /** Item `release`: the OS type (`ubuntu`), or a series for legacy tools. */
  release: string;
  /** OS the item is for (`ubuntu` for Ubuntu series of legacy tools). */
  os: string;
  arch: string;
  path: string;
  size: number;
  sha256: string;
}

/** An item in scope (stream, arch and OS match) that Juju could not use. */
export interface InvalidAgentItem {
  item: FlatItem;
  reason: string;
}

export interface AgentSelection {
  /** Selected items, in input order. */
  items: AgentItem[];
  /**
   * Items of the selected streams, arches and OSes that Juju would crash on or fail to
   * download (unparseable version, missing or malformed path/size/sha256). Never selected;
   * a publisher of the whole stream (exact mode) must refuse to publish when any exist.
   */
  invalid: InvalidAgentItem[];
  /** Pins that match no valid item in scope. */
  missingPins: string[];
  /** With `minVersion: "latest"`: the major.minor it resolved to, per content id. */
  latest: Record<string, string>;
}

interface MajorMinor {
  major: number;
  minor: number;
}

interface CheckedFilter {
  min: MajorMinor | "latest" | undefined;
  max: MajorMinor | undefined;
  keep: number | undefined;
  pins: Map<string, string>;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;
const SERIES_VERSION = /^\d+\.\d+$/;

function filterError(message: string): TypeError {
  return new TypeError(`[streamgate] [core] ${message}`);
}

function checkBound(name: string, input: string | undefined): MajorMinor | undefined {
  if (input === undefined) return undefined;
  try {
    return parseMajorMinor(input);
  } catch {
    throw filterError(`Expected \`${name}\` to be X.Y (e.g. 3.6), got ${JSON.stringify(input)}`);
  }
}

function compareMajorMinor(a: MajorMinor, b: MajorMinor): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

function checkFilter(filter: AgentFilter): CheckedFilter {
  const { keep } = filter;
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 1)) {
    throw filterError(`Expected \`keep\` to be an integer from 1 and up, got ${keep}`);
  }
  const min =
    filter.minVersion === "latest" ? "latest" : checkBound("minVersion", filter.minVersion);
  const max = checkBound("maxVersion", filter.maxVersion);
  if (
    min !== undefined &&
    min !== "latest" &&
    max !== undefined &&
    compareMajorMinor(min, max) > 0
  ) {
    throw filterError(
      `Expected \`minVersion\` (${filter.minVersion}) to be at most \`maxVersion\` (${filter.maxVersion})`,
    );
  }
  const pins = new Map<string, string>();
  for (const pin of filter.pins ?? []) {
    const version = tryParseJujuVersion(pin);
    if (version === undefined) {
      throw filterError(
        `Expected \`pins\` to hold Juju versions (e.g. 3.6.12), got ${JSON.stringify(pin)}`,
      );
    }
    pins.set(formatJujuVersion(version), pin);
  }
  return { min, max, keep, pins };
}

function legacyOs(productId: string, release: string): string {
  const series = productId.split(":")[1] ?? "";
  return SERIES_VERSION.test(series) ? "ubuntu" : release;
}

/** Why Juju could not use this item, or the parsed values it needs. */
function readAgentFields(
  fields: FlatItem["fields"],
): { reason: string } | { version: JujuVersion; path: string; size: number; sha256: string } {
  const { version: versionString, path, size, sha256 } = fields;
  if (versionString === undefined || versionString === "") return { reason: "missing version" };
  const version = tryParseJujuVersion(versionString);
  if (version === undefined) {
    return { reason: `version ${JSON.stringify(versionString)} is not one Juju can parse` };
  }
  if (path === undefined || path === "") return { reason: "missing path" };
  if (size === undefined) return { reason: "missing size" };
  if (sha256 === undefined || !SHA256_HEX.test(sha256)) {
    return { reason: "sha256 is not 64 lowercase hex digits" };
  }
  return { version, path, size, sha256 };
}

/**
 * Picks the agent items a mirror should hold. Items of other content ids (images,
 * `:tools` unless `legacyTools`) are ignored; items in scope that Juju could not use are
 * reported in `invalid`, never selected. Pure: the caller plans downloads from the result.
 * Throws `TypeError` for a malformed filter (naming the option).
 */
export function selectAgentItems(
  items: readonly FlatItem[],
  filter: AgentFilter = {},
): AgentSelection {
  const checked = checkFilter(filter);
  const candidates: AgentItem[] = [];
  const invalid: InvalidAgentItem[] = [];

  for (const flat of items) {
    const contentId = flat.contentId;
    const content = contentId === undefined ? undefined : parseAgentContentId(contentId);
    if (contentId === undefined || content === undefined) continue;
    if (content.legacy && filter.legacyTools !== true) continue;
    if (filter.streams !== undefined && !filter.streams.includes(content.stream)) continue;
    const { release, arch } = flat.fields;
    if (release === undefined || release === "" || arch === undefined || arch === "") {
      invalid.push({ item: flat, reason: `missing ${release ? "arch" : "release"}` });
      continue;
    }
    if (filter.arches !== undefined && !filter.arches.includes(arch)) continue;
    const os = content.legacy ? legacyOs(flat.productId, release) : release;
    if (filter.oses !== undefined && !filter.oses.includes(os) && !filter.oses.includes(release)) {
      continue;
    }
    const read = readAgentFields(flat.fields);
    if ("reason" in read) {
      invalid.push({ item: flat, reason: read.reason });
      continue;
    }
    candidates.push({ ...flat, contentId, ...content, release, os, arch, ...read });
  }

  const latest = resolveLatest(candidates, checked);
  const inRange = candidates.filter((candidate) => {
    const min = checked.min === "latest" ? latest.get(candidate.contentId) : checked.min;
    if (min !== undefined && compareMajorMinor(candidate.version, min) < 0) return false;
    return checked.max === undefined || compareMajorMinor(candidate.version, checked.max) <= 0;
  });
  const kept = newestPerSeries(inRange, checked.keep);

  const pinsFound = new Set<string>();
  const selected = candidates.filter((candidate) => {
    const formatted = formatJujuVersion(candidate.version);
    if (checked.pins.has(formatted)) {
      pinsFound.add(formatted);
      return true;
    }
    return kept.has(candidate);
  });
  const missingPins = [...checked.pins].filter(([formatted]) => !pinsFound.has(formatted));

  const latestByContentId: Record<string, string> = {};
  for (const [contentId, { major, minor }] of latest) {
    latestByContentId[contentId] = `${major}.${minor}`;
  }
  return {
    items: selected,
    invalid,
    missingPins: missingPins.map(([, pin]) => pin),
    latest: latestByContentId,
  };
}

/** Newest major.minor per content id, at or below `maxVersion` when one is given. */
function resolveLatest(
  candidates: readonly AgentItem[],
  { min, max }: CheckedFilter,
): Map<string, MajorMinor> {
  const latest = new Map<string, MajorMinor>();
  if (min !== "latest") return latest;
  for (const { contentId, version } of candidates) {
    if (max !== undefined && compareMajorMinor(version, max) > 0) continue;
    const current = latest.get(contentId);
    if (current === undefined || compareMajorMinor(version, current) > 0) {
      latest.set(contentId, { major: version.major, minor: version.minor });
    }
  }
  return latest;
}

/** The items whose version is among the `keep` newest of its stream and major.minor. */
function newestPerSeries(items: readonly AgentItem[], keep: number | undefined): Set<AgentItem> {
  if (keep === undefined) return new Set(items);
  const versionsBySeries = new Map<string, Map<string, JujuVersion>>();
  for (const { contentId, version } of items) {
    const series = `${contentId} ${version.major}.${version.minor}`;
    const versions = versionsBySeries.get(series) ?? new Map<string, JujuVersion>();
    versions.set(formatJujuVersion(version), version);
    versionsBySeries.set(series, versions);
  }
  const keptVersions = new Set<string>();
  for (const [series, versions] of versionsBySeries) {
    const newest = [...versions.values()].sort((a, b) => compareJujuVersions(b, a)).slice(0, keep);
    for (const version of newest) keptVersions.add(`${series} ${formatJujuVersion(version)}`);
  }
  return new Set(
    items.filter(({ contentId, version }) =>
      keptVersions.has(
        `${contentId} ${version.major}.${version.minor} ${formatJujuVersion(version)}`,
      ),
    ),
  );
}
