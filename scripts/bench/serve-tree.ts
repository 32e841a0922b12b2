/**
 * The objects `npm run bench:serve` serves: a small agent index, a real 2.5 MB product
 * file and a 16 MiB tarball, at the keys a mirror publishes them under.
 */
import { readFileSync } from "node:fs";
import { parseClearsigned } from "../../src/signing/parse-clearsigned.ts";
import { createFsStore } from "../../src/store/fs.ts";

export interface BenchObject {
  key: string;
  body: Uint8Array;
  contentType: string;
}

const PRODUCT_FIXTURE = new URL(
  "../../test/fixtures/cloud-images-com.ubuntu.cloud-released-download.sjson",
  import.meta.url,
);

export const SMALL_JSON_KEY = "juju/tools/streams/v1/index2.json";
export const PRODUCT_JSON_KEY = "images/streams/v1/com.ubuntu.cloud-released-download.json";
export const TARBALL_KEY = "juju/tools/agent/3.6.1/juju-3.6.1-ubuntu-amd64.tgz";
export const TARBALL_SIZE = 16 * 1024 * 1024;

/** An index2.json shaped like streams.canonical.com's, about 2 KB. */
function smallIndex(): string {
  const index: Record<string, unknown> = {};
  for (const stream of ["released", "proposed", "devel", "testing"]) {
    index[`com.ubuntu.juju:${stream}:agents`] = {
      updated: "Mon, 02 Nov 2026 10:00:00 +0000",
      format: "products:1.0",
      datatype: "content-download",
      path: `streams/v1/com.ubuntu.juju-${stream}-agents.json`,
      products: ["amd64", "arm64", "ppc64el", "s390x", "riscv64"].map(
        (arch) => `com.ubuntu.juju:ubuntu:${arch}`,
      ),
    };
  }
  index["com.ubuntu.juju:released:tools"] = {
    updated: "Mon, 02 Nov 2026 10:00:00 +0000",
    format: "products:1.0",
    datatype: "content-download",
    path: "streams/v1/com.ubuntu.juju-released-tools.json",
    products: ["20.04", "22.04"].map((series) => `com.ubuntu.juju:${series}:amd64`),
  };
  const document = { index, updated: "Mon, 02 Nov 2026 10:00:00 +0000", format: "index:1.0" };
  return `${JSON.stringify(document, null, 1)}\n`;
}

/** Incompressible, like a real tarball, and cheap to make (xorshift, not crypto). */
function tarballBytes(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  const words = new Uint32Array(bytes.buffer);
  let state = 0x9e3779b9;
  for (let i = 0; i < words.length; i++) {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    words[i] = state >>> 0;
  }
  return bytes;
}

export function buildBenchObjects(): BenchObject[] {
  const product = parseClearsigned(readFileSync(PRODUCT_FIXTURE, "utf8")).text;
  const encoder = new TextEncoder();
  return [
    { key: SMALL_JSON_KEY, body: encoder.encode(smallIndex()), contentType: "application/json" },
    { key: PRODUCT_JSON_KEY, body: encoder.encode(product), contentType: "application/json" },
    { key: TARBALL_KEY, body: tarballBytes(TARBALL_SIZE), contentType: "application/gzip" },
  ];
}

/** Writes the objects through the fs store, so sidecars exist as after a real sync. */
export async function writeBenchTree(root: string, objects: readonly BenchObject[]): Promise<void> {
  const store = createFsStore({ root });
  for (const { key, body, contentType } of objects) await store.put(key, body, { contentType });
}
