import { agentContentId, agentProductId, parseJujuVersion } from "../../src/core/index.ts";

/** One Juju version of the fixture upstream, and where it is published. */
export interface UpstreamVersionSpec {
  /** Juju version: `3.6.12`, `3.7-beta1`, `2.8.11`. */
  version: string;
  /** Streams listing it. Default: `devel` for a tagged version (`-beta1`), else `released`. */
  streams?: readonly string[];
  /** Version collection key it was published under (`YYYYMMDD`). Default: the fixture date. */
  date?: string;
  /** Default: the fixture's `arches`, or amd64, arm64 and s390x. */
  arches?: readonly string[];
  /** Legacy tools (Juju ≤ 2.8) only: the series it was built for. Default focal, bionic. */
  series?: readonly string[];
}

export const DEFAULT_ARCHES: readonly string[] = ["amd64", "arm64", "s390x"];

/** Ubuntu series of the legacy tools products (`com.ubuntu.juju:<series-version>:<arch>`). */
export const SERIES_VERSIONS: Readonly<Record<string, string>> = {
  trusty: "14.04",
  xenial: "16.04",
  bionic: "18.04",
  focal: "20.04",
};

const DEFAULT_SERIES: readonly string[] = ["focal", "bionic"];

/** Upstream lists CentOS agents for fewer arches than Ubuntu ones; only these here. */
const CENTOS_ARCHES: ReadonlySet<string> = new Set(["amd64", "arm64"]);

/**
 * The default fixture: several patches per minor, a 2.9 with an extra arch, one version
 * in released and proposed, a proposed-only candidate, a devel beta, and legacy tools.
 * Dates are plausible, not Canonical's; two versions share a collection (20240912).
 */
export const DEFAULT_VERSIONS: readonly UpstreamVersionSpec[] = [
  { version: "2.7.8", date: "20200717", arches: ["amd64", "arm64"], series: ["bionic", "xenial"] },
  { version: "2.8.11", date: "20210708", arches: ["amd64", "arm64"], series: ["focal", "bionic"] },
  { version: "2.9.51", date: "20240912", arches: ["amd64", "arm64", "s390x", "ppc64el"] },
  { version: "3.4.6", date: "20240912" },
  { version: "3.5.3", date: "20240725" },
  { version: "3.5.4", date: "20240926" },
  { version: "3.5.5", date: "20241113" },
  { version: "3.6.0", date: "20241127" },
  { version: "3.6.9", date: "20250814" },
  { version: "3.6.12", date: "20251105", streams: ["released", "proposed"] },
  { version: "3.6.13", date: "20261119", streams: ["proposed"] },
  { version: "3.7-beta1", date: "20260310", arches: ["amd64", "arm64"] },
];

/** One item naming a tarball: where in which product file it is listed. */
export interface PlannedItem {
  contentId: string;
  stream: string;
  legacy: boolean;
  productId: string;
  versionKey: string;
  itemKey: string;
  /** The item's resolved `release`: `ubuntu`/`centos` for agents, a series for legacy tools. */
  release: string;
  version: string;
  arch: string;
}

/** One tarball to write, and every item that names it. */
export interface PlannedTarball {
  /** Relative to the tree root (`…/juju/tools`). */
  path: string;
  version: string;
  /** `linux` for agents; the series for legacy tools. */
  os: string;
  arch: string;
  items: PlannedItem[];
}

export interface PlanOptions {
  /** Restricts every version's arches. */
  arches?: readonly string[];
  /** `YYYYMMDD` for versions without a date. */
  defaultDate: string;
}

const VERSION_KEY = /^\d{8}(?:\.\d+)?$/;
const NAME = /^[a-z0-9][a-z0-9.-]*$/;

function isLegacy(version: string): boolean {
  const { major, minor } = parseJujuVersion(version);
  return major < 2 || (major === 2 && minor <= 8);
}

function resolveSpec(input: string | UpstreamVersionSpec): UpstreamVersionSpec {
  if (typeof input !== "string") return input;
  return DEFAULT_VERSIONS.find((spec) => spec.version === input) ?? { version: input };
}

function checkNames(what: string, names: readonly string[], version: string): void {
  for (const name of names) {
    if (!NAME.test(name)) {
      throw new TypeError(`invalid ${what} ${JSON.stringify(name)} for version ${version}`);
    }
  }
}

/**
 * Turns version specs into the tarballs to write, each with the items that name it. Pure:
 * no I/O. Agents (2.9+) get one `agent/<v>/juju-<v>-linux-<arch>.tgz` per arch, named by an
 * `ubuntu` item and (amd64, arm64) a `centos` item in every stream; legacy tools (≤ 2.8)
 * get one `releases/juju-<v>-<series>-<arch>.tgz` per series and arch.
 */
export function planTarballs(
  versions: readonly (string | UpstreamVersionSpec)[],
  options: PlanOptions,
): PlannedTarball[] {
  const tarballs = new Map<string, PlannedTarball>();
  const seen = new Set<string>();
  for (const input of versions) {
    const spec = resolveSpec(input);
    const { version } = spec;
    const parsed = parseJujuVersion(version);
    if (seen.has(version)) throw new TypeError(`version ${version} is listed twice`);
    seen.add(version);
    const legacy = isLegacy(version);
    const streams = spec.streams ?? [parsed.tag === "" ? "released" : "devel"];
    const versionKey = spec.date ?? options.defaultDate;
    if (!VERSION_KEY.test(versionKey)) {
      throw new TypeError(
        `invalid date ${JSON.stringify(versionKey)} for version ${version}: expected YYYYMMDD`,
      );
    }
    const ownArches = spec.arches ?? options.arches ?? DEFAULT_ARCHES;
    const arches = options.arches
      ? ownArches.filter((arch) => options.arches?.includes(arch))
      : ownArches;
    checkNames("stream", streams, version);
    checkNames("arch", arches, version);
    const add = (
      path: string,
      os: string,
      arch: string,
      item: Omit<PlannedItem, "version" | "arch" | "versionKey">,
    ) => {
      const tarball = tarballs.get(path) ?? { path, version, os, arch, items: [] };
      tarball.items.push({ ...item, version, arch, versionKey });
      tarballs.set(path, tarball);
    };
    for (const arch of arches) {
      if (!legacy) {
        const path = `agent/${version}/juju-${version}-linux-${arch}.tgz`;
        for (const stream of streams) {
          for (const release of CENTOS_ARCHES.has(arch) ? ["ubuntu", "centos"] : ["ubuntu"]) {
            add(path, "linux", arch, {
              contentId: agentContentId(stream),
              stream,
              legacy,
              productId: agentProductId(release, arch),
              itemKey: `${version}-${release}-${arch}`,
              release,
            });
          }
        }
        continue;
      }
      for (const series of spec.series ?? DEFAULT_SERIES) {
        const seriesVersion = SERIES_VERSIONS[series];
        if (seriesVersion === undefined) {
          throw new TypeError(
            `unknown series ${JSON.stringify(series)} for version ${version}; known: ${Object.keys(SERIES_VERSIONS).join(", ")}`,
          );
        }
        for (const stream of streams) {
          const folder = stream === "released" ? "releases" : stream;
          add(`${folder}/juju-${version}-${series}-${arch}.tgz`, series, arch, {
            contentId: agentContentId(stream, true),
            stream,
            legacy,
            productId: agentProductId(seriesVersion, arch),
            itemKey: `${version}-${series}-${arch}`,
            release: series,
          });
        }
      }
    }
  }
  return [...tarballs.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}
