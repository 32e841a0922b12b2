import {
  AGENT_DATATYPE,
  compareJujuVersions,
  flattenProducts,
  IMAGE_DATATYPE,
  type Index,
  type IndexEntry,
  type Products,
  parseIndex,
  parseJsonDocument,
  parseProducts,
  tryParseJujuVersion,
} from "../core/index.ts";
import { parseClearsigned } from "../signing/parse-clearsigned.ts";
import { StoreError } from "../store/errors.ts";
import type { ObjectStore } from "../store/object-store.ts";

/**
 * What the browse page tells about the mirrored metadata. Documents are parsed as
 * strictly as Juju reads them (src/core), but a document that fails is reported on the
 * page instead of failing it: the page must describe a broken mirror too.
 */

export interface AgentStreamSummary {
  contentId: string;
  /** Product file key, relative to the store root. */
  productsKey: string;
  /** Newest first. */
  versions: string[];
  arches: string[];
  oses: string[];
  tarballs: number;
  bytes: number;
  /** Why the product file could not be read, when it could not. */
  problem?: string;
}

export interface AgentsSummary {
  indexKey: string;
  /** A signed `index2.sjson` / `index.sjson` is served (exact mode). */
  signed: boolean;
  streams: AgentStreamSummary[];
}

export interface ImageRegionSummary {
  region: string;
  endpoint: string;
  /** Image ids listed for the region in the product file. */
  images: number;
}

export interface ImageEntrySummary {
  contentId: string;
  productsKey: string;
  /** `<os-version> <arch>` of each product, e.g. `24.04 amd64`. */
  products: string[];
  regions: ImageRegionSummary[];
  problem?: string;
}

export interface ImagesSummary {
  indexKey: string;
  signed: boolean;
  entries: ImageEntrySummary[];
}

export type ImageKeySummary =
  | { state: "missing" }
  | { state: "invalid"; message: string }
  | {
      state: "ok";
      /** Uppercase hex, in groups of four. */
      fingerprint: string;
      keyId: string;
      algorithm: string;
      bits: number | undefined;
      userIds: string[];
      /** Juju verifies only RSA signatures (juju-contract.md §6). */
      rsa: boolean;
      /** A secret key published by mistake. */
      secret: boolean;
    };

export interface MirrorSummary {
  /** `undefined` when no agent index is served. */
  agents: AgentsSummary | undefined;
  images: ImagesSummary | undefined;
  imageKey: ImageKeySummary;
  /** Problems reading an index itself. */
  problems: string[];
}

const AGENTS_ROOT = "juju/tools/";
const IMAGES_ROOT = "images/";
export const IMAGE_KEY = "keys/images.asc";

/** Index files in the order we prefer to read them: unsigned twins need no unwrapping. */
const AGENT_INDEXES = ["index2.json", "index.json", "index2.sjson", "index.sjson"];
const IMAGE_INDEXES = ["index.json", "index.sjson"];

/** Metadata larger than this is not parsed for the page (upstream products are a few MB). */
const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Juju's order, newest first; strings Juju cannot parse go last (and are reported). */
function newestFirst(versions: Iterable<string>): string[] {
  const all = [...versions];
  const valid = all.filter((version) => tryParseJujuVersion(version) !== undefined);
  const invalid = all.filter((version) => tryParseJujuVersion(version) === undefined);
  return [...valid.sort((a, b) => compareJujuVersions(b, a)), ...invalid.sort()];
}

function summarizeAgentProducts(document: Products, summary: AgentStreamSummary): void {
  const versions = new Set<string>();
  const arches = new Set<string>();
  const oses = new Set<string>();
  for (const { fields } of flattenProducts(document)) {
    if (typeof fields.version === "string") versions.add(fields.version);
    if (typeof fields.arch === "string") arches.add(fields.arch);
    if (typeof fields.release === "string") oses.add(fields.release);
    summary.tarballs += 1;
    if (typeof fields.size === "number") summary.bytes += fields.size;
  }
  summary.versions = newestFirst(versions);
  summary.arches = [...arches].sort();
  summary.oses = [...oses].sort();
  const unparsable = summary.versions.filter(
    (version) => tryParseJujuVersion(version) === undefined,
  );
  if (unparsable.length > 0) {
    summary.problem = `versions Juju cannot parse: ${unparsable.join(", ")}`;
  }
}

function summarizeImageProducts(document: Products, summary: ImageEntrySummary): void {
  const counts = new Map<string, number>();
  for (const { fields } of flattenProducts(document)) {
    if (typeof fields.region !== "string") continue;
    counts.set(fields.region, (counts.get(fields.region) ?? 0) + 1);
  }
  for (const region of summary.regions) region.images = counts.get(region.region) ?? 0;
  for (const [region, images] of counts) {
    if (!summary.regions.some((known) => known.region === region)) {
      summary.regions.push({ region, endpoint: "", images });
    }
  }
}

function formatFingerprint(hex: string): string {
  return (hex.toUpperCase().match(/.{1,4}/g) ?? []).join(" ");
}

/**
 * Reads the mirror's indexes, product files and image key. Parsed documents are kept per
 * key and etag, so a page view after an unchanged sync costs a `get` per document, not a
 * re-parse (the product file of an exact agent mirror is megabytes of JSON).
 */
export function createMirrorSummaryReader(store: ObjectStore) {
  const cache = new Map<string, { etag: string; value: unknown }>();

  /** Parses `key` with `parse`, or `null` when it does not exist. */
  async function readParsed<T>(
    key: string,
    parse: (text: string) => T | Promise<T>,
  ): Promise<T | null> {
    const object = await store.get(key);
    if (object === null) return null;
    const cached = cache.get(key);
    if (cached !== undefined && cached.etag === object.etag) {
      object.body.cancel().catch(() => {});
      return cached.value as T;
    }
    if (object.size > MAX_DOCUMENT_BYTES) {
      object.body.cancel().catch(() => {});
      throw new Error(`${key} is larger than ${MAX_DOCUMENT_BYTES} bytes`);
    }
    const value = await parse(await new Response(object.body).text());
    if (cache.size >= 64) cache.clear();
    cache.set(key, { etag: object.etag, value });
    return value;
  }

  function parseDocument<T>(key: string, validate: (value: unknown) => T) {
    return (raw: string): T => {
      // Only shown, not trusted: Juju verifies signatures, the page reads the signed text.
      const text = key.endsWith(".sjson") ? parseClearsigned(raw).text : raw;
      return validate(parseJsonDocument(text));
    };
  }

  async function readProducts(
    key: string,
    summary: { problem?: string },
  ): Promise<Products | undefined> {
    try {
      const document = await readParsed(key, parseDocument(key, parseProducts));
      if (document === null) summary.problem = "product file not served";
      return document ?? undefined;
    } catch (error) {
      if (error instanceof StoreError) throw error;
      summary.problem = messageOf(error);
      return undefined;
    }
  }

  async function firstIndex(
    root: string,
    names: readonly string[],
    problems: string[],
  ): Promise<{ key: string; index: Index } | undefined> {
    for (const name of names) {
      const key = `${root}streams/v1/${name}`;
      try {
        const index = await readParsed(key, parseDocument(key, parseIndex));
        if (index !== null) return { key, index };
      } catch (error) {
        if (error instanceof StoreError) throw error;
        problems.push(`${key}: ${messageOf(error)}`);
      }
    }
    return undefined;
  }

  async function isServed(root: string, names: readonly string[]): Promise<boolean> {
    const found = await Promise.all(names.map((name) => store.head(`${root}streams/v1/${name}`)));
    return found.some((info) => info !== null);
  }

  function entriesOf(index: Index, datatype: string): [string, IndexEntry][] {
    return Object.entries(index.index).filter(([, entry]) => entry.datatype === datatype);
  }

  async function readAgents(problems: string[]): Promise<AgentsSummary | undefined> {
    const found = await firstIndex(AGENTS_ROOT, AGENT_INDEXES, problems);
    if (found === undefined) return undefined;
    const streams = await Promise.all(
      entriesOf(found.index, AGENT_DATATYPE).map(async ([contentId, entry]) => {
        const productsKey = `${AGENTS_ROOT}${entry.path}`;
        const summary: AgentStreamSummary = {
          contentId,
          productsKey,
          versions: [],
          arches: [],
          oses: [],
          tarballs: 0,
          bytes: 0,
        };
        const document = await readProducts(productsKey, summary);
        if (document !== undefined) summarizeAgentProducts(document, summary);
        return summary;
      }),
    );
    return {
      indexKey: found.key,
      signed: await isServed(AGENTS_ROOT, ["index2.sjson", "index.sjson"]),
      streams,
    };
  }

  async function readImages(problems: string[]): Promise<ImagesSummary | undefined> {
    const found = await firstIndex(IMAGES_ROOT, IMAGE_INDEXES, problems);
    if (found === undefined) return undefined;
    const entries = await Promise.all(
      entriesOf(found.index, IMAGE_DATATYPE).map(async ([contentId, entry]) => {
        const summary: ImageEntrySummary = {
          contentId,
          productsKey: `${IMAGES_ROOT}${entry.path}`,
          // `com.ubuntu.cloud:server:24.04:amd64` → `24.04 amd64`
          products: entry.products.map((id) => id.split(":").slice(-2).join(" ")),
          regions: (entry.clouds ?? []).map((cloud) => ({
            region: cloud.region,
            endpoint: cloud.endpoint,
            images: 0,
          })),
        };
        const document = await readProducts(summary.productsKey, summary);
        if (document !== undefined) summarizeImageProducts(document, summary);
        return summary;
      }),
    );
    return { indexKey: found.key, signed: await isServed(IMAGES_ROOT, ["index.sjson"]), entries };
  }

  async function readImageKey(): Promise<ImageKeySummary> {
    try {
      const summary = await readParsed(IMAGE_KEY, async (armoredKey) => {
        // Loaded only for this page: openpgp is large and no other route needs it.
        const { readKey } = await import("openpgp");
        const key = await readKey({ armoredKey });
        const info = key.getAlgorithmInfo();
        const userIds = key.getUserIDs();
        return {
          state: "ok",
          fingerprint: formatFingerprint(key.getFingerprint()),
          keyId: key.getKeyID().toHex().toUpperCase(),
          algorithm: info.algorithm,
          bits: "bits" in info ? info.bits : undefined,
          userIds,
          rsa: info.algorithm.startsWith("rsa"),
          secret: key.isPrivate(),
        } satisfies ImageKeySummary;
      });
      return summary ?? { state: "missing" };
    } catch (error) {
      if (error instanceof StoreError) throw error;
      return { state: "invalid", message: messageOf(error) };
    }
  }

  return async function readMirrorSummary(): Promise<MirrorSummary> {
    const problems: string[] = [];
    const [agents, images, imageKey] = await Promise.all([
      readAgents(problems),
      readImages(problems),
      readImageKey(),
    ]);
    return { agents, images, imageKey, problems };
  };
}
