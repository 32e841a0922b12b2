import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { flattenProducts, parseIndex, parseProducts } from "../core/index.ts";
import type { GeneratedSigningKey } from "../signing/generate-key.ts";
import { generateTestKey } from "../signing/test-support.ts";
import { createFsStore } from "../store/fs.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { BundleError } from "./errors.ts";
import { exportMetadataSource } from "./metadata-source.ts";
import {
  listTree,
  publishAgentMetadata,
  putAgent,
  seedMirror,
  sha256Hex,
  temporaryDirectory,
} from "./test-support.ts";

let key: GeneratedSigningKey;
let store: ObjectStore;

beforeAll(async () => {
  key = await generateTestKey("metadata source");
  store = createFsStore({ root: await temporaryDirectory("store") });
  await seedMirror(store, key);
});

async function json(path: string): Promise<unknown> {
  return JSON.parse(await readFile(path, "utf8"));
}

describe("exportMetadataSource", () => {
  it("lays agents out the way juju bootstrap --metadata-source reads them", async () => {
    const dir = await temporaryDirectory("source");
    const result = await exportMetadataSource({ store, dir });
    expect(result).toMatchObject({ dir, agents: true, images: true, imagesSigned: true });

    // Juju: tools.DefaultBaseURL = DIR, ToolsURL appends /tools; paths are relative to it.
    const tools = join(dir, "tools");
    const index = parseIndex(await json(join(tools, "streams/v1/index2.json")));
    const entry = index.index["com.ubuntu.juju:released:agents"];
    expect(entry?.path).toBe("streams/v1/com.ubuntu.juju-released-agents.json");
    const products = parseProducts(await json(join(tools, entry?.path ?? "")));
    const items = flattenProducts(products);
    expect(items).toHaveLength(2);
    for (const { fields } of items) {
      const tarball = await readFile(join(tools, String(fields.path)));
      expect(tarball.byteLength).toBe(fields.size);
      expect(sha256Hex(tarball)).toBe(fields.sha256);
    }
  });

  it("lays image-ids out under DIR/images and copies the public key beside them", async () => {
    const dir = await temporaryDirectory("source");
    const result = await exportMetadataSource({ store, dir });
    const images = join(dir, "images");
    const index = parseIndex(await json(join(images, "streams/v1/index.json")));
    const path = index.index["com.ubuntu.cloud:custom"]?.path ?? "";
    expect(flattenProducts(parseProducts(await json(join(images, path))))[0]?.fields.id).toBe(
      "img-1",
    );
    expect(await readFile(join(images, "streams/v1/index.sjson"), "utf8")).toContain(
      "BEGIN PGP SIGNED MESSAGE",
    );
    expect(result.publicKeyFile).toBe(join(dir, "keys/images.asc"));
    expect(await readFile(join(dir, "keys/images.asc"), "utf8")).toBe(key.publicKey);
  });

  it("writes plain files only: no internal files, no temp files left", async () => {
    const dir = await temporaryDirectory("source");
    const result = await exportMetadataSource({ store, dir });
    const files = await listTree(dir, { filesOnly: true });
    expect(files).toEqual([
      "images/streams/v1/com.ubuntu.cloud-released-imagemetadata.json",
      "images/streams/v1/com.ubuntu.cloud-released-imagemetadata.sjson",
      "images/streams/v1/index.json",
      "images/streams/v1/index.sjson",
      "keys/images.asc",
      "tools/agent/3.6.1/juju-3.6.1-ubuntu-amd64.tgz",
      "tools/agent/3.6.1/juju-3.6.1-ubuntu-arm64.tgz",
      "tools/streams/v1/com.ubuntu.juju-released-agents.json",
      "tools/streams/v1/index.json",
      "tools/streams/v1/index2.json",
    ]);
    expect(result.files).toBe(10);
  });

  it("carries signed agent metadata as stored", async () => {
    const signedStore = createFsStore({ root: await temporaryDirectory("signed") });
    const agent = await putAgent(signedStore, "3.6.1", "amd64", 2048);
    await publishAgentMetadata(signedStore, [agent]);
    await signedStore.put("juju/tools/streams/v1/index2.sjson", "signed upstream bytes\n");
    const dir = await temporaryDirectory("source");
    const result = await exportMetadataSource({ store: signedStore, dir });
    expect(await readFile(join(dir, "tools/streams/v1/index2.sjson"), "utf8")).toBe(
      "signed upstream bytes\n",
    );
    expect(result).toMatchObject({ agents: true, images: false, imagesSigned: false });
    expect(result.publicKeyFile).toBeUndefined();
  });

  it("refuses a store with neither agents nor images", async () => {
    const empty = createFsStore({ root: await temporaryDirectory("empty") });
    await empty.put("keys/images.asc", "key only");
    await expect(
      exportMetadataSource({ store: empty, dir: await temporaryDirectory("source") }),
    ).rejects.toThrow(/nothing under juju\/tools\/ or images\//);
  });

  it("fails on bytes that do not match the recorded sha256, leaving no file behind", async () => {
    const victim = "juju/tools/agent/3.6.1/juju-3.6.1-ubuntu-arm64.tgz";
    const lying: ObjectStore = {
      ...store,
      async get(objectKey, options) {
        const object = await store.get(objectKey, options);
        if (objectKey !== victim || object === null) return object;
        const bytes = new Uint8Array(await new Response(object.body).arrayBuffer());
        bytes[0] = (bytes[0] ?? 0) ^ 0xff;
        return { ...object, body: new Response(bytes).body as ReadableStream<Uint8Array> };
      },
    };
    const dir = await temporaryDirectory("source");
    const failure = exportMetadataSource({ store: lying, dir });
    await expect(failure).rejects.toThrow(BundleError);
    await expect(failure).rejects.toThrow(`writing "${victim}"`);
    expect(await listTree(join(dir, "tools/agent/3.6.1"))).toEqual(["juju-3.6.1-ubuntu-amd64.tgz"]);
    expect(await listTree(join(dir, "tools/streams"))).toEqual([]);
  });
});
