/**
 * @module
 * Writes a local upstream tree shaped like https://streams.canonical.com/juju/tools —
 * signed and unsigned `index2`/`index`, agent and legacy tools product files at upstream's
 * names, and real (small, or benchmark-sized) `tar.gz` agents — signed with a test key it
 * generates. streams.canonical.com is unreachable from tests; this is what they mirror.
 *
 *   node scripts/make-upstream.ts --out DIR [--key-out DIR] [--versions 3.6.12,3.7-beta1]
 *       [--arches amd64,arm64] [--seed S] [--date 2026-11-23T10:00:00Z]
 *       [--tarball-size 64MiB] [--json]
 *
 * Tests import `makeUpstream` and mutate the tree afterwards to seed faults.
 */
import { createHash } from "node:crypto";
import { chmod, mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { formatUpdated } from "../src/core/index.ts";
import {
  clearsign,
  type GeneratedSigningKey,
  generateSigningKey,
  parseSigningKey,
} from "../src/signing/index.ts";
import { DEFAULT_VERSIONS, planTarballs, type UpstreamVersionSpec } from "./upstream/catalogue.ts";
import {
  buildIndexTexts,
  buildProductFiles,
  type HashedTarball,
  LEGACY_INDEX_CONTENT_ID,
} from "./upstream/documents.ts";
import { writeTarball } from "./upstream/tarball.ts";

export type { UpstreamVersionSpec } from "./upstream/catalogue.ts";
export { DEFAULT_ARCHES, DEFAULT_VERSIONS } from "./upstream/catalogue.ts";

export interface MakeUpstreamOptions {
  /** The tree root: what `…/juju/tools` is upstream. Created if missing; files are overwritten. */
  out: string;
  /** Seeds the tarballs' bytes. Default `streamgate`. */
  seed?: string;
  /** `updated` of every document, the version key of undated versions, the signature time. Default 2026-11-23T10:00:00Z. */
  updated?: Date;
  /** Versions to publish: catalogue versions by name, or full specs. Default `DEFAULT_VERSIONS`. */
  versions?: readonly (string | UpstreamVersionSpec)[];
  /** Restricts the arches of every version. */
  arches?: readonly string[];
  /**
   * Approximate size of every tarball in bytes (incompressible content, written by
   * streaming). Default: small tarballs of 1–4 KiB, each a different size.
   */
  tarballSize?: number;
  /**
   * Key to sign with. Default: a fresh RSA-2048 key. Pass one for byte-identical trees
   * across runs (RSA PKCS#1 v1.5 signatures are deterministic) and to save its generation.
   */
  signingKey?: GeneratedSigningKey;
}

/** One item of a product file that names a tarball. */
export interface UpstreamFixtureItem {
  contentId: string;
  productId: string;
  versionKey: string;
  itemKey: string;
  release: string;
}

export interface UpstreamFixtureTarball {
  /** Relative to `root`: `agent/3.6.12/juju-3.6.12-linux-amd64.tgz`, `releases/juju-2.8.11-focal-amd64.tgz`. */
  path: string;
  version: string;
  /** `linux` for agents, the series for legacy tools. */
  os: string;
  arch: string;
  size: number;
  sha256: string;
  md5: string;
  /** Streams whose product files name it. */
  streams: string[];
  /** Every item naming it (an agent tarball is shared by `ubuntu` and `centos` items). */
  items: UpstreamFixtureItem[];
}

export interface UpstreamFixtureContent {
  contentId: string;
  stream: string;
  /** `:tools` content (Juju ≤ 2.8). */
  legacy: boolean;
  /** The `.json` product file, named by `index2.json` / `index.json`. */
  path: string;
  /** The `.sjson` product file, named by `index2.sjson` / `index.sjson`. */
  signedPath: string;
  productIds: string[];
  /** Listed by the legacy `index.(s)json` too. */
  inLegacyIndex: boolean;
}

export interface UpstreamFixture {
  /** Absolute path of the tree root. */
  root: string;
  /** `file://` URL of `root`, without a trailing slash: the upstream base. */
  url: string;
  /** The `updated` string of every document: `Mon, 23 Nov 2026 10:00:00 +0000`. */
  updated: string;
  /** Armored public key that verifies every `.sjson`. */
  publicKey: string;
  /** Armored private key, for tests that alter a file and re-sign it. */
  privateKey: string;
  keyId: string;
  fingerprint: string;
  /** By content id. */
  contentIds: Record<string, UpstreamFixtureContent>;
  /** Sorted by path. */
  tarballs: UpstreamFixtureTarball[];
  /** Every metadata file written, relative to `root`, sorted. */
  files: string[];
}

export const DEFAULT_UPDATED = new Date("2026-11-23T10:00:00Z");
const DEFAULT_SEED = "streamgate";
const SMALL_NOISE_BYTES = 1024;
// Distinct noise lengths for the i-th tarball: every small tarball has its own size.
const SMALL_NOISE_STEP = 61;
const DAY_MS = 86_400_000;

function versionKeyOf(date: Date): string {
  return date.toISOString().slice(0, 10).replaceAll("-", "");
}

function noiseBytes(
  index: number,
  path: string,
  seed: string,
  tarballSize: number | undefined,
): number {
  if (tarballSize !== undefined) return Math.max(0, tarballSize - 2048);
  const spread = createHash("sha256").update(`${seed}\0${path}`).digest().readUInt16BE(0);
  return SMALL_NOISE_BYTES + index * SMALL_NOISE_STEP + (spread % SMALL_NOISE_STEP);
}

async function writeText(root: string, path: string, text: string): Promise<void> {
  const file = join(root, path);
  await mkdir(join(file, ".."), { recursive: true });
  await writeFile(file, text);
}

/** Writes the tree (tarballs → product files → indexes, as a publisher would) and describes it. */
export async function makeUpstream(options: MakeUpstreamOptions): Promise<UpstreamFixture> {
  const root = resolve(options.out);
  const seed = options.seed ?? DEFAULT_SEED;
  const date = options.updated ?? DEFAULT_UPDATED;
  const { tarballSize } = options;
  if (tarballSize !== undefined && (!Number.isSafeInteger(tarballSize) || tarballSize < 0)) {
    throw new TypeError(`Expected \`tarballSize\` to be a byte count, got ${tarballSize}`);
  }
  const updated = formatUpdated(date);
  const planned = planTarballs(options.versions ?? DEFAULT_VERSIONS, {
    arches: options.arches,
    defaultDate: versionKeyOf(date),
  });
  const key =
    options.signingKey ??
    (await generateSigningKey({
      name: "streamgate fixture upstream",
      email: "upstream@streamgate.invalid",
      rsaBits: 2048,
      date: new Date(date.getTime() - DAY_MS),
    }));
  const privateKey = await parseSigningKey(key.privateKey);

  const tarballs: HashedTarball[] = [];
  for (const [index, tarball] of planned.entries()) {
    const written = await writeTarball({
      file: join(root, tarball.path),
      name: "jujud",
      text: `#!/bin/sh\n# jujud ${tarball.version} ${tarball.os}/${tarball.arch}: streamgate test fixture (seed ${seed}), not a Juju agent\n`,
      noiseBytes: noiseBytes(index, tarball.path, seed, tarballSize),
      seed: `${seed}\0${tarball.path}`,
      mtime: date,
      level: tarballSize === undefined ? 6 : 1,
    });
    tarballs.push({ ...tarball, ...written });
  }

  const productFiles = buildProductFiles(tarballs, updated);
  const legacyFiles = productFiles.filter((file) => file.contentId === LEGACY_INDEX_CONTENT_ID);
  const files: string[] = [];
  const publish = async (path: string, text: string, signedPath: string, signedText: string) => {
    await writeText(root, path, text);
    await writeText(root, signedPath, await clearsign(signedText, privateKey, { date }));
    files.push(path, signedPath);
  };
  for (const file of productFiles) {
    await publish(file.path, file.text, file.signedPath, file.text);
  }
  for (const [name, entries] of [
    ["index2", productFiles],
    ["index", legacyFiles],
  ] as const) {
    const texts = buildIndexTexts(entries, updated);
    await publish(`streams/v1/${name}.json`, texts.json, `streams/v1/${name}.sjson`, texts.sjson);
  }

  return {
    root,
    url: pathToFileURL(root).href.replace(/\/+$/, ""),
    updated,
    publicKey: key.publicKey,
    privateKey: key.privateKey,
    keyId: key.keyId,
    fingerprint: key.fingerprint,
    contentIds: Object.fromEntries(
      productFiles.map((file) => [
        file.contentId,
        {
          contentId: file.contentId,
          stream: file.stream,
          legacy: file.legacy,
          path: file.path,
          signedPath: file.signedPath,
          productIds: file.productIds,
          inLegacyIndex: file.contentId === LEGACY_INDEX_CONTENT_ID,
        },
      ]),
    ),
    tarballs: tarballs.map((tarball) => ({
      path: tarball.path,
      version: tarball.version,
      os: tarball.os,
      arch: tarball.arch,
      size: tarball.size,
      sha256: tarball.sha256,
      md5: tarball.md5,
      streams: [...new Set(tarball.items.map((item) => item.stream))].sort(),
      items: tarball.items.map(({ contentId, productId, versionKey, itemKey, release }) => ({
        contentId,
        productId,
        versionKey,
        itemKey,
        release,
      })),
    })),
    files: files.sort(),
  };
}

const SIZE_UNITS: Readonly<Record<string, number>> = {
  "": 1,
  B: 1,
  KB: 1000,
  kB: 1000,
  MB: 1000 ** 2,
  GB: 1000 ** 3,
  KiB: 1024,
  MiB: 1024 ** 2,
  GiB: 1024 ** 3,
};

/** `64MiB`, `500KB`, `1048576` → bytes. */
export function parseByteSize(input: string): number {
  const match = /^(\d+)\s*([A-Za-z]*)$/.exec(input.trim());
  const unit = match?.[2] ?? "";
  const factor = SIZE_UNITS[unit];
  if (match === null || factor === undefined) {
    throw new TypeError(
      `invalid size ${JSON.stringify(input)}: expected a whole number with an optional unit (B, KB, MB, GB, KiB, MiB, GiB), e.g. 64MiB`,
    );
  }
  return Number(match[1]) * factor;
}

const USAGE = `Usage: node scripts/make-upstream.ts --out DIR [options]

Writes a signed simplestreams tree shaped like streams.canonical.com/juju/tools under DIR.

  --out DIR            tree root (the …/juju/tools base)
  --key-out DIR        also write DIR/upstream-key.pub.asc (and the test-only private key
                       DIR/upstream-key.sec.asc)
  --versions LIST      comma-separated Juju versions (default: the built-in catalogue)
  --arches LIST        comma-separated arches to keep
  --seed TEXT          seeds the tarball bytes (default streamgate)
  --date ISO-8601      documents' updated time (default 2026-11-23T10:00:00Z)
  --tarball-size SIZE  make every tarball about SIZE, e.g. 64MiB (default: a few KiB)
  --json               print the fixture description (without the private key) on stdout
`;

function list(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(",")
        .map((part) => part.trim())
        .filter(Boolean);
}

function parseCli(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    options: {
      out: { type: "string" },
      "key-out": { type: "string" },
      versions: { type: "string" },
      arches: { type: "string" },
      seed: { type: "string" },
      date: { type: "string" },
      "tarball-size": { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  }).values;
}

async function main(argv: readonly string[]): Promise<number> {
  let values: ReturnType<typeof parseCli>;
  let out: string;
  let updated: Date | undefined;
  let tarballSize: number | undefined;
  try {
    values = parseCli(argv);
    if (values.help) {
      process.stdout.write(USAGE);
      return 0;
    }
    if (values.out === undefined) throw new TypeError("--out DIR is required");
    out = values.out;
    if (values.date !== undefined) {
      updated = new Date(values.date);
      if (Number.isNaN(updated.getTime())) {
        throw new TypeError(`invalid --date ${JSON.stringify(values.date)}`);
      }
    }
    const size = values["tarball-size"];
    tarballSize = size === undefined ? undefined : parseByteSize(size);
  } catch (error) {
    process.stderr.write(`make-upstream: ${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const fixture = await makeUpstream({
    out,
    seed: values.seed,
    updated,
    versions: list(values.versions),
    arches: list(values.arches),
    tarballSize,
  });
  if (values["key-out"] !== undefined) {
    const keyDir = resolve(values["key-out"]);
    await mkdir(keyDir, { recursive: true });
    await writeFile(join(keyDir, "upstream-key.pub.asc"), fixture.publicKey);
    const secret = join(keyDir, "upstream-key.sec.asc");
    await writeFile(secret, fixture.privateKey, { mode: 0o600 });
    await chmod(secret, 0o600);
  }
  const bytes = fixture.tarballs.reduce((sum, tarball) => sum + tarball.size, 0);
  process.stderr.write(
    `make-upstream: wrote ${fixture.files.length} metadata files and ${fixture.tarballs.length} tarballs (${bytes} bytes) to ${fixture.root}, signed by ${fixture.keyId}\n`,
  );
  if (values.json) {
    const { privateKey: _privateKey, ...shown } = fixture;
    process.stdout.write(`${JSON.stringify(shown, null, 2)}\n`);
  }
  return 0;
}

if (import.meta.main) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`make-upstream: ${(error as Error).stack ?? String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
