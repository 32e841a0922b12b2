/**
 * @module
 * Test-only helpers for the bundle tests (never imported by runtime code): a small
 * published tree seeded straight into a store, store snapshots, and hand-made archives.
 */
import { createCipheriv, createHash } from "node:crypto";
import { mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { extract as createExtract, pack as createPack } from "tar-stream";
import {
  buildIndex,
  buildProducts,
  formatUpdated,
  type Item,
  renderIndex,
  renderProducts,
} from "../core/index.ts";
import type { JobState } from "../scheduler/job-state.ts";
import { jobStateKey } from "../scheduler/job-state.ts";
import { clearsign } from "../signing/clearsign.ts";
import type { GeneratedSigningKey } from "../signing/generate-key.ts";
import type { ObjectStore } from "../store/object-store.ts";

export function temporaryDirectory(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `streamgate-bundle-${prefix}-`));
}

const BLOCK = 64 * 1024;

/**
 * `size` bytes of AES-256-CTR keystream keyed by `seed`: incompressible, the same on every
 * run, different for every seed. Generated block by block, never held whole.
 */
export async function* pseudoRandomBytes(
  seed: string,
  size: number,
): AsyncGenerator<Uint8Array, void, undefined> {
  const key = createHash("sha256").update(seed).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16, 0));
  const zeros = Buffer.alloc(BLOCK);
  for (let done = 0; done < size; done += BLOCK) {
    yield new Uint8Array(cipher.update(zeros.subarray(0, Math.min(BLOCK, size - done))));
  }
}

export function streamOf(chunks: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await iterator.next();
      if (next.done) controller.close();
      else controller.enqueue(next.value);
    },
  });
}

export function sha256Hex(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export async function sha256Of(chunks: AsyncIterable<Uint8Array>): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of chunks) hash.update(chunk);
  return hash.digest("hex");
}

export const AGENTS_INDEX = "juju/tools/streams/v1/index2.json";
export const AGENTS_LEGACY_INDEX = "juju/tools/streams/v1/index.json";
export const AGENTS_PRODUCTS = "juju/tools/streams/v1/com.ubuntu.juju-released-agents.json";
export const IMAGES_INDEX = "images/streams/v1/index.json";
export const IMAGES_SIGNED_INDEX = "images/streams/v1/index.sjson";
export const IMAGES_PRODUCTS = "images/streams/v1/com.ubuntu.cloud-released-imagemetadata.json";
export const IMAGES_SIGNED_PRODUCTS =
  "images/streams/v1/com.ubuntu.cloud-released-imagemetadata.sjson";
export const IMAGES_PUBLIC_KEY = "keys/images.asc";

const CONTENT_ID = "com.ubuntu.juju:released:agents";
const UPDATED = formatUpdated(new Date("2026-11-23T10:00:00Z"));

export interface SeededAgent {
  version: string;
  arch: string;
  key: string;
  size: number;
  sha256: string;
}

export function agentKey(version: string, arch: string): string {
  return `juju/tools/agent/${version}/juju-${version}-ubuntu-${arch}.tgz`;
}

/** Streams a pseudo-random "tarball" of `size` bytes into the store. */
export async function putAgent(
  store: ObjectStore,
  version: string,
  arch: string,
  size: number,
): Promise<SeededAgent> {
  const key = agentKey(version, arch);
  const sha256 = await sha256Of(pseudoRandomBytes(key, size));
  await store.put(key, streamOf(pseudoRandomBytes(key, size)), { size, sha256 });
  return { version, arch, key, size, sha256 };
}

function renderJson(value: unknown): string {
  return `${JSON.stringify(value, null, 1)}\n`;
}

/** Writes the agents product file and both index files for `agents`, products before index. */
export async function publishAgentMetadata(
  store: ObjectStore,
  agents: readonly SeededAgent[],
): Promise<void> {
  const products: Record<string, { versions: Record<string, { items: Record<string, Item> }> }> =
    {};
  for (const agent of agents) {
    const productId = `com.ubuntu.juju:ubuntu:${agent.arch}`;
    products[productId] ??= { versions: {} };
    const versions = products[productId].versions;
    versions["20261123"] ??= { items: {} };
    (versions["20261123"] as { items: Record<string, Item> }).items[
      `${agent.version}-ubuntu-${agent.arch}`
    ] = {
      release: "ubuntu",
      version: agent.version,
      arch: agent.arch,
      ftype: "tar.gz",
      path: agent.key.slice("juju/tools/".length),
      size: agent.size,
      sha256: agent.sha256,
    };
  }
  const productIds = Object.keys(products).sort();
  await store.put(
    AGENTS_PRODUCTS,
    renderProducts(
      buildProducts({
        contentId: CONTENT_ID,
        updated: UPDATED,
        datatype: "content-download",
        products,
      }),
    ),
  );
  const entry = {
    datatype: "content-download",
    format: "products:1.0",
    path: AGENTS_PRODUCTS.slice("juju/tools/".length),
    products: productIds,
    updated: UPDATED,
  };
  await store.put(AGENTS_INDEX, renderIndex(buildIndex({ [CONTENT_ID]: entry }, UPDATED)));
  await store.put(AGENTS_LEGACY_INDEX, renderIndex(buildIndex({}, UPDATED)));
}

/** Unsigned and signed image-ids for one region, and the public key they are signed with. */
export async function publishImageMetadata(
  store: ObjectStore,
  key: GeneratedSigningKey,
  imageId: string,
): Promise<void> {
  const products = {
    content_id: "com.ubuntu.cloud:custom",
    format: "products:1.0",
    updated: UPDATED,
    datatype: "image-ids",
    products: {
      "com.ubuntu.cloud:server:24.04:amd64": {
        arch: "amd64",
        version: "24.04",
        versions: {
          "20261123": {
            items: {
              [imageId]: { id: imageId, region: "RegionOne", endpoint: "https://ks:5000/v3" },
            },
          },
        },
      },
    },
  };
  const index = (extension: string) => ({
    format: "index:1.0",
    updated: UPDATED,
    index: {
      "com.ubuntu.cloud:custom": {
        datatype: "image-ids",
        format: "products:1.0",
        path: `streams/v1/com.ubuntu.cloud-released-imagemetadata.${extension}`,
        products: ["com.ubuntu.cloud:server:24.04:amd64"],
        updated: UPDATED,
      },
    },
  });
  const date = new Date("2026-11-23T10:00:00Z");
  await store.put(IMAGES_PUBLIC_KEY, key.publicKey);
  await store.put(IMAGES_PRODUCTS, renderJson(products));
  await store.put(
    IMAGES_SIGNED_PRODUCTS,
    await clearsign(renderJson(products), key.privateKey, { date }),
  );
  await store.put(IMAGES_INDEX, renderJson(index("json")));
  await store.put(
    IMAGES_SIGNED_INDEX,
    await clearsign(renderJson(index("sjson")), key.privateKey, { date }),
  );
}

export async function putJobState(store: ObjectStore, state: JobState): Promise<void> {
  await store.put(jobStateKey(state.job), renderJson(state));
}

/** Every key of the store, internal ones included, with the sha256 of its bytes as read now. */
export async function snapshotStore(store: ObjectStore): Promise<Map<string, string>> {
  const snapshot = new Map<string, string>();
  for (const prefix of ["", ".streamgate/"]) {
    for await (const info of store.list(prefix)) {
      const object = await store.get(info.key);
      if (object === null) throw new Error(`${info.key} vanished while taking a snapshot`);
      snapshot.set(info.key, await sha256Of(object.body));
    }
  }
  return snapshot;
}

/**
 * Every file and folder (or, with `filesOnly`, every file) under `root` except the fs
 * store's own machinery, as sorted relative paths.
 */
export async function listTree(
  root: string,
  options: { filesOnly?: boolean } = {},
): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true }).catch(
    (error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return [];
      throw error;
    },
  );
  return entries
    .filter((entry) => !options.filesOnly || entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .filter((path) => path !== ".streamgate" && !path.startsWith(".streamgate/fs"))
    .sort();
}

export interface RawEntry {
  name: string;
  body: Uint8Array | string;
  type?: "file" | "symlink" | "directory";
}

/** A tar file of exactly these entries, for bundles no exporter would write. */
export async function writeRawTar(entries: readonly RawEntry[]): Promise<Buffer> {
  const pack = createPack();
  for (const entry of entries) {
    const body = typeof entry.body === "string" ? Buffer.from(entry.body) : Buffer.from(entry.body);
    if (entry.type === "symlink") {
      pack.entry({ name: entry.name, type: "symlink", linkname: "/etc/passwd" });
    } else {
      pack.entry({ name: entry.name, type: entry.type ?? "file" }, body);
    }
  }
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const chunk of pack as AsyncIterable<Buffer>) chunks.push(chunk);
  return Buffer.concat(chunks);
}

export interface ReadEntry {
  name: string;
  size: number;
  /** Offset of the entry's first byte in the file. */
  offset: number;
  body: Buffer;
}

/** Every entry of a (small) tar file with its bytes. */
export async function readTar(file: string): Promise<ReadEntry[]> {
  const extract = createExtract();
  extract.end(await readFile(file));
  const entries: ReadEntry[] = [];
  for await (const entry of extract) {
    const chunks: Buffer[] = [];
    for await (const chunk of entry as AsyncIterable<Buffer>) chunks.push(chunk);
    const header = entry.header as { name: string; size: number; byteOffset?: number };
    entries.push({
      name: header.name,
      size: header.size,
      offset: header.byteOffset ?? -1,
      body: Buffer.concat(chunks),
    });
  }
  return entries;
}

export interface SeededMirror {
  agents: SeededAgent[];
  /** When generation 1 of both jobs was published (right after the seed). */
  publishedAt: string;
}

/**
 * A small published tree as the sync jobs would leave it: two agent tarballs (1.5 and
 * 2.5 MB) with their product file and indexes, signed and unsigned image-ids, the image
 * public key, and generation 1 of both jobs with a report for agents.
 */
export async function seedMirror(
  store: ObjectStore,
  key: GeneratedSigningKey,
): Promise<SeededMirror> {
  const agents = [
    await putAgent(store, "3.6.1", "amd64", 1_500_000),
    await putAgent(store, "3.6.1", "arm64", 2_500_000),
  ];
  await publishAgentMetadata(store, agents);
  await publishImageMetadata(store, key, "img-1");
  const publishedAt = new Date().toISOString();
  await putJobState(store, { job: "agents", generation: 1, generations: { "1": publishedAt } });
  await putJobState(store, { job: "images", generation: 1, generations: { "1": publishedAt } });
  await store.put(
    ".streamgate/reports/agents/1.json",
    renderJson({
      job: "agents",
      mode: "filtered",
      filters: { streams: ["released"], legacyTools: false },
      plan: { copies: agents.length },
    }),
  );
  return { agents, publishedAt };
}

/**
 * Generation 2 of the agents job: one more tarball, the metadata re-rendered to list it,
 * and the state recording when it was published.
 */
export async function publishSecondGeneration(
  store: ObjectStore,
  seeded: SeededMirror,
): Promise<SeededAgent> {
  const added = await putAgent(store, "3.6.2", "amd64", 1_200_000);
  await publishAgentMetadata(store, [...seeded.agents, added]);
  const publishedAt = new Date().toISOString();
  await putJobState(store, {
    job: "agents",
    generation: 2,
    generations: { "1": seeded.publishedAt, "2": publishedAt },
  });
  return added;
}
