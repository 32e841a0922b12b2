import {
  type JujuVersion,
  parseAgentContentId,
  parseMajorMinor,
  tryParseJujuVersion,
} from "../core/index.ts";
import type { SourceInventory } from "./check-source.ts";
import { entryServesCloud, type LookupCloud, sameCloud } from "./cloud-spec.ts";

/** One agent lookup to replay. */
export interface PlannedAgentLookup {
  /** `3.6` for an advertised series, or the `--juju-version` given. */
  jujuVersion: string;
  arch: string;
  os: string;
  /** `undefined`: Juju's default for the client (released, devel for a pre-release). */
  stream: string | undefined;
}

/** One image lookup to replay. */
export interface PlannedImageLookup {
  region: string;
  endpoint: string;
  /** OS version: `24.04`. */
  version: string;
  arch: string;
  stream: string;
}

export interface PlanAgentLookupsOptions {
  /** The client's version: only its series is looked up. */
  jujuVersion?: string;
  arch?: string;
  stream?: string;
}

export interface PlanImageLookupsOptions {
  cloud?: LookupCloud;
  /** OS version: `24.04`. */
  version?: string;
  arch?: string;
}

const AGENT_PRODUCT_ID = /^com\.ubuntu\.juju:([^:]+):([^:]+)$/;
const IMAGE_PRODUCT_ID = /^com\.ubuntu\.cloud(?:\.([a-z0-9-]+))?:server:([^:]+):([^:]+)$/;

const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function seriesOf(version: JujuVersion): string {
  return `${version.major}.${version.minor}`;
}

/**
 * The agent lookups that prove a mirror: for a given client version, its series on the
 * given arch (or on every arch advertised for it); otherwise every stream, series, arch
 * and OS the agent indexes advertise (legacy `:tools` content is for Juju ≤ 2.8 and is
 * not replayed). Pure.
 */
export function planAgentLookups(
  inventory: SourceInventory,
  options: PlanAgentLookupsOptions = {},
): PlannedAgentLookup[] {
  const advertised = new Map<string, PlannedAgentLookup & { series: string }>();
  for (const { entry, contentId, signed } of inventory.entries) {
    const parsed = parseAgentContentId(contentId);
    if (parsed === undefined || parsed.legacy) continue;
    if (options.stream !== undefined && parsed.stream !== options.stream) continue;
    for (const { productPath, signed: itemSigned, item } of inventory.items) {
      if (productPath !== entry.path || itemSigned !== signed) continue;
      if (!entry.products.includes(item.productId)) continue;
      const product = AGENT_PRODUCT_ID.exec(item.productId);
      const version = tryParseJujuVersion(item.fields.version ?? "");
      if (product === null || version === undefined) continue;
      const [, os = "", arch = ""] = product;
      if (options.arch !== undefined && arch !== options.arch) continue;
      const series = seriesOf(version);
      const planned = { jujuVersion: series, arch, os, stream: parsed.stream, series };
      advertised.set(`${parsed.stream}|${series}|${arch}|${os}`, planned);
    }
  }
  const all = [...advertised.values()];
  if (options.jujuVersion !== undefined) {
    const wanted = tryParseJujuVersion(options.jujuVersion);
    const series =
      wanted === undefined
        ? Object.values(parseMajorMinor(options.jujuVersion)).join(".")
        : seriesOf(wanted);
    const arches = new Set(
      options.arch !== undefined
        ? [options.arch]
        : all.filter((lookup) => lookup.series === series).map((lookup) => lookup.arch),
    );
    if (arches.size === 0) arches.add("amd64");
    return [...arches].sort(byText).map((arch) => ({
      jujuVersion: options.jujuVersion as string,
      arch,
      os: "ubuntu",
      stream: options.stream,
    }));
  }
  return all
    .sort(
      (a, b) =>
        byText(a.stream ?? "", b.stream ?? "") ||
        byText(a.os, b.os) ||
        a.series.localeCompare(b.series, "en", { numeric: true }) ||
        byText(a.arch, b.arch),
    )
    .map(({ series: _series, ...lookup }) => lookup);
}

function canonicalRegion(region: string): string {
  return region.replaceAll(" ", "").toLowerCase();
}

/**
 * The image lookups that prove a mirror: for every cloud an `image-ids` index entry
 * serves (or, for an entry without clouds, every region its items name), every product
 * that has items for that region — looked up with the cloud's region exactly as the
 * index names it, so an item whose region differs in case or spacing shows up as
 * missing, as it would for Juju. `--region/--endpoint`, `--base` and `--arch` narrow it.
 * Pure.
 */
export function planImageLookups(
  inventory: SourceInventory,
  options: PlanImageLookupsOptions = {},
): PlannedImageLookup[] {
  const planned = new Map<string, PlannedImageLookup>();
  for (const { entry, signed } of inventory.entries) {
    const items = inventory.items.filter(
      ({ productPath, signed: itemSigned, item }) =>
        productPath === entry.path &&
        itemSigned === signed &&
        entry.products.includes(item.productId),
    );
    const clouds: LookupCloud[] =
      entry.clouds !== undefined && entry.clouds.length > 0
        ? entry.clouds.map(({ region, endpoint }) => ({ region, endpoint }))
        : items.map(({ item }) => ({
            region: item.fields.region ?? "",
            endpoint: item.fields.endpoint ?? "",
          }));
    for (const cloud of clouds) {
      if (cloud.region === "") continue;
      if (options.cloud !== undefined) {
        if (!entryServesCloud(entry, options.cloud)) continue;
        if (
          entry.clouds !== undefined &&
          entry.clouds.length > 0 &&
          !sameCloud(cloud, options.cloud)
        ) {
          continue;
        }
      }
      const lookupCloud = options.cloud ?? cloud;
      for (const { item } of items) {
        if (canonicalRegion(item.fields.region ?? "") !== canonicalRegion(lookupCloud.region))
          continue;
        const product = IMAGE_PRODUCT_ID.exec(item.productId);
        if (product === null) continue;
        const [, stream = "released", version = "", arch = ""] = product;
        if (options.version !== undefined && version !== options.version) continue;
        if (options.arch !== undefined && arch !== options.arch) continue;
        const lookup = { ...lookupCloud, version, arch, stream };
        planned.set(
          `${canonicalRegion(lookup.region)}|${lookup.endpoint.replace(/\/$/, "")}|${stream}|${version}|${arch}`,
          lookup,
        );
      }
    }
  }
  return [...planned.values()].sort(
    (a, b) =>
      byText(a.region, b.region) ||
      byText(a.endpoint, b.endpoint) ||
      byText(a.stream, b.stream) ||
      byText(a.version, b.version) ||
      byText(a.arch, b.arch),
  );
}
