/**
 * @module
 * Test-only helpers for this folder's tests (never imported by runtime code): an
 * in-memory mirror answering `fetch`, and small agent and image trees shaped like the
 * ones streamgate publishes, to seed faults into. Runtime-neutral like the folder.
 */
import { renderJson } from "../core/index.ts";
import { clearsign } from "../signing/index.ts";

export const ORIGIN = "http://mirror.test";
export const UPDATED = "Mon, 23 Nov 2026 10:00:00 +0000";
export const ENDPOINT = "https://keystone.test:5000/v3";

export type Answer = Response | (() => Response);

export interface FakeMirror {
  /** Keyed by path under the origin: `juju/tools/streams/v1/index2.json`. */
  files: Map<string, Answer>;
  fetch: typeof fetch;
  /** Paths asked for, in order, with the `redirect` mode of each request. */
  requested: { path: string; redirect: RequestRedirect | undefined }[];
  /** Replaces a file's JSON (the edit gets the parsed document). */
  editJson(path: string, edit: (document: Record<string, unknown>) => void): Promise<void>;
}

export function createFakeMirror(): FakeMirror {
  const files = new Map<string, Answer>();
  const requested: FakeMirror["requested"] = [];
  const fetchImpl = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    if (!url.startsWith(`${ORIGIN}/`)) throw new TypeError(`fetch failed: no route to ${url}`);
    const path = url.slice(ORIGIN.length + 1);
    requested.push({ path, redirect: init?.redirect });
    const answer = files.get(path);
    if (answer === undefined) return new Response("not found\n", { status: 404 });
    return typeof answer === "function" ? answer() : answer.clone();
  }) as typeof fetch;
  return {
    files,
    fetch: fetchImpl,
    requested,
    async editJson(path, edit) {
      const answer = files.get(path);
      if (answer === undefined) throw new Error(`no ${path} to edit`);
      const response = typeof answer === "function" ? answer() : answer.clone();
      const document = JSON.parse(await response.text()) as Record<string, unknown>;
      edit(document);
      files.set(path, new Response(renderJson(document)));
    },
  };
}

export async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(
    await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>),
  );
  return [...digest].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}

async function publish(
  mirror: FakeMirror,
  prefix: string,
  documents: Map<string, unknown>,
  indexName: string,
  signingKey: string | undefined,
): Promise<void> {
  for (const [path, document] of documents) {
    mirror.files.set(`${prefix}/${path}`, new Response(renderJson(document)));
  }
  if (signingKey === undefined) return;
  for (const [path, document] of documents) {
    const signedPath = path.replace(/\.json$/, ".sjson");
    let text = renderJson(document);
    if (path.endsWith(indexName)) text = text.replaceAll('.json"', '.sjson"');
    mirror.files.set(`${prefix}/${signedPath}`, new Response(await clearsign(text, signingKey)));
  }
}

export interface AgentTreeOptions {
  /** Default `juju/tools`. */
  prefix?: string;
  /** Versions per stream. Default: released 3.6.11, 3.6.12; proposed 3.6.13. */
  streams?: Record<string, string[]>;
  /** Default amd64 and arm64. */
  arches?: string[];
  /** Also publish `.sjson` twins signed with this armored private key. */
  signingKey?: string;
}

export function agentTarballPath(version: string, arch: string): string {
  return `agent/${version}/juju-${version}-linux-${arch}.tgz`;
}

export function agentProductPath(stream: string): string {
  return `streams/v1/com.ubuntu.juju-${stream}-agents.json`;
}

/** An agent tree: `index2.json` (+ `.sjson`), one product file per stream, every tarball. */
export async function addAgentTree(mirror: FakeMirror, options: AgentTreeOptions = {}) {
  const prefix = options.prefix ?? "juju/tools";
  const streams = options.streams ?? { released: ["3.6.11", "3.6.12"], proposed: ["3.6.13"] };
  const arches = options.arches ?? ["amd64", "arm64"];
  const documents = new Map<string, unknown>();
  const index: Record<string, unknown> = {};
  for (const [stream, versions] of Object.entries(streams)) {
    const products: Record<string, unknown> = {};
    for (const arch of arches) {
      const items: Record<string, unknown> = {};
      for (const version of versions) {
        const path = agentTarballPath(version, arch);
        const bytes = new TextEncoder().encode(`juju agent ${version} ${arch}\n`);
        mirror.files.set(`${prefix}/${path}`, new Response(bytes));
        items[`${version}-ubuntu-${arch}`] = {
          release: "ubuntu",
          version,
          arch,
          size: bytes.byteLength,
          path,
          ftype: "tar.gz",
          sha256: await sha256Hex(bytes),
        };
      }
      products[`com.ubuntu.juju:ubuntu:${arch}`] = { versions: { "20261123": { items } } };
    }
    const contentId = `com.ubuntu.juju:${stream}:agents`;
    const productPath = agentProductPath(stream);
    documents.set(productPath, {
      content_id: contentId,
      format: "products:1.0",
      updated: UPDATED,
      products,
    });
    index[contentId] = {
      datatype: "content-download",
      format: "products:1.0",
      path: productPath,
      products: Object.keys(products),
      updated: UPDATED,
    };
  }
  documents.set("streams/v1/index2.json", { format: "index:1.0", updated: UPDATED, index });
  await publish(mirror, prefix, documents, "index2.json", options.signingKey);
}

export interface ImageSpec {
  id: string;
  version: string;
  arch: string;
}

export interface ImageTreeOptions {
  /** Default `images`. */
  prefix?: string;
  /** Images per region. Default: RegionOne 24.04 amd64 + 22.04 arm64, RegionTwo 24.04 amd64. */
  regions?: Record<string, ImageSpec[]>;
  /** Default `ENDPOINT`. */
  endpoint?: string;
  /** Also publish `.sjson` twins signed with this armored private key. */
  signingKey?: string;
}

export const IMAGE_PRODUCT_PATH = "streams/v1/com.ubuntu.cloud-released-imagemetadata.json";

/** An image tree like `sync images` writes: `index.json` (+ `.sjson`) and one product file. */
export async function addImageTree(mirror: FakeMirror, options: ImageTreeOptions = {}) {
  const prefix = options.prefix ?? "images";
  const endpoint = options.endpoint ?? ENDPOINT;
  const regions = options.regions ?? {
    RegionOne: [
      { id: "one-noble", version: "24.04", arch: "amd64" },
      { id: "one-jammy-arm", version: "22.04", arch: "arm64" },
    ],
    RegionTwo: [{ id: "two-noble", version: "24.04", arch: "amd64" }],
  };
  const products: Record<string, { version: string; arch: string; versions: unknown }> = {};
  const items: Record<string, Record<string, unknown>> = {};
  for (const [region, images] of Object.entries(regions)) {
    for (const image of images) {
      const productId = `com.ubuntu.cloud:server:${image.version}:${image.arch}`;
      const own = items[productId] ?? {};
      own[`${region}-${image.id}`] = { id: image.id, region, endpoint, virt: "kvm" };
      items[productId] = own;
      products[productId] = {
        version: image.version,
        arch: image.arch,
        versions: { "20261123": { items: own } },
      };
    }
  }
  const documents = new Map<string, unknown>([
    [
      IMAGE_PRODUCT_PATH,
      { content_id: "com.ubuntu.cloud:custom", format: "products:1.0", updated: UPDATED, products },
    ],
    [
      "streams/v1/index.json",
      {
        format: "index:1.0",
        updated: UPDATED,
        index: {
          "com.ubuntu.cloud:custom": {
            datatype: "image-ids",
            format: "products:1.0",
            path: IMAGE_PRODUCT_PATH,
            products: Object.keys(products).sort(),
            updated: UPDATED,
            cloudname: "test",
            clouds: Object.keys(regions).map((region) => ({ region, endpoint })),
          },
        },
      },
    ],
  ]);
  await publish(mirror, prefix, documents, "index.json", options.signingKey);
}
