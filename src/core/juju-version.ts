/**
 * Juju version numbers, parsed, ordered and printed exactly like Go's
 * github.com/juju/version `Number` (`Parse`, `Compare`, `String`).
 */

/** A Juju version: `3.6.12`, `3.7-beta1` (tag `beta`, patch 1), `2.9.51.1` (build 1). */
export interface JujuVersion {
  readonly major: number;
  readonly minor: number;
  /** `""` for a release; lowercase letters (`beta`, `rc`) for a pre-release. */
  readonly tag: string;
  readonly patch: number;
  /** `0` when absent. */
  readonly build: number;
}

// juju/version NumberRegex, anchored as numberPat is.
const NUMBER = /^(\d{1,9})\.(\d{1,9})(?:\.|-([a-z]+))(\d{1,9})(?:\.(\d{1,9}))?$/;
const MAJOR_MINOR = /^(\d{1,9})\.(\d{1,9})$/;

/** A string Juju cannot parse as a version; agent metadata naming one crashes Juju's reader. */
export class JujuVersionError extends Error {
  readonly input: string;

  constructor(input: string, expected: string) {
    super(
      `[streamgate] [core] invalid Juju version ${JSON.stringify(input)}: expected ${expected}`,
    );
    this.name = "JujuVersionError";
    this.input = input;
  }
}

/** Like `parseJujuVersion`, but `undefined` for a string Juju cannot parse. */
export function tryParseJujuVersion(input: string): JujuVersion | undefined {
  const match = NUMBER.exec(input);
  if (match === null) return undefined;
  const [, major, minor, tag, patch, build] = match;
  return {
    major: Number(major),
    minor: Number(minor),
    tag: tag ?? "",
    patch: Number(patch),
    build: build === undefined ? 0 : Number(build),
  };
}

/**
 * Parses `major.minor.patch`, `major.minor-tagPatch` or either followed by `.build`.
 * Throws `JujuVersionError` for anything else (`3.6`, `v3.6.1`, `3.6.1-ubuntu-amd64`…).
 */
export function parseJujuVersion(input: string): JujuVersion {
  const version = tryParseJujuVersion(input);
  if (version === undefined) {
    throw new JujuVersionError(
      input,
      "major.minor.patch, major.minor-tagPatch or major.minor.patch.build (e.g. 3.6.12, 3.7-beta1, 2.9.51.1)",
    );
  }
  return version;
}

function toVersion(version: JujuVersion | string): JujuVersion {
  return typeof version === "string" ? parseJujuVersion(version) : version;
}

/**
 * -1, 0 or 1 as `a` is older than, the same as or newer than `b`. Compares major, minor,
 * then tag (a tagged version is older than any untagged one of the same major.minor —
 * `3.7-beta9` < `3.7.0` — and tags compare as strings, `beta` < `rc`), then patch, then
 * build. Strings are parsed first (and may throw `JujuVersionError`).
 */
export function compareJujuVersions(a: JujuVersion | string, b: JujuVersion | string): -1 | 0 | 1 {
  const x = toVersion(a);
  const y = toVersion(b);
  let less: boolean;
  if (x.major !== y.major) less = x.major < y.major;
  else if (x.minor !== y.minor) less = x.minor < y.minor;
  else if (x.tag !== y.tag) less = x.tag === "" ? false : y.tag === "" ? true : x.tag < y.tag;
  else if (x.patch !== y.patch) less = x.patch < y.patch;
  else if (x.build !== y.build) less = x.build < y.build;
  else return 0;
  return less ? -1 : 1;
}

/** Juju's own spelling: `3.6.12`, `3.7-beta1`, `2.9.51.1`; a zero build is left out. */
export function formatJujuVersion(version: JujuVersion): string {
  const base =
    version.tag === ""
      ? `${version.major}.${version.minor}.${version.patch}`
      : `${version.major}.${version.minor}-${version.tag}${version.patch}`;
  return version.build > 0 ? `${base}.${version.build}` : base;
}

/** `"3.6"` for `3.6.12` or `3.6-rc1`: the series bootstrap matches a client against. */
export function majorMinor(version: JujuVersion | string): string {
  const { major, minor } = toVersion(version);
  return `${major}.${minor}`;
}

/** Parses an `X.Y` bound such as `--min-version 3.6`; throws `JujuVersionError` otherwise. */
export function parseMajorMinor(input: string): { major: number; minor: number } {
  const match = MAJOR_MINOR.exec(input);
  if (match === null) throw new JujuVersionError(input, "major.minor (e.g. 3.6)");
  return { major: Number(match[1]), minor: Number(match[2]) };
}
