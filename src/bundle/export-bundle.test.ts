import { access, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { UnusableKeyError } from "../signing/errors.ts";
import type { GeneratedSigningKey } from "../signing/generate-key.ts";
import { generateTestKey, gpgvVerifyText } from "../signing/test-support.ts";
import { createFsStore } from "../store/fs.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { classifyKey, compareForBundle } from "./classify-key.ts";
import { BundleError, BundleInputError } from "./errors.ts";
import { exportBundle } from "./export-bundle.ts";
import { MANIFEST_ENTRY, parseManifest } from "./manifest.ts";
import {
  AGENTS_INDEX,
  publishSecondGeneration,
  putJobState,
  readTar,
  type SeededMirror,
  seedMirror,
  sha256Hex,
  temporaryDirectory,
} from "./test-support.ts";

let key: GeneratedSigningKey;

beforeAll(async () => {
  key = await generateTestKey("bundle operator");
});

async function seededStore(): Promise<{ store: ObjectStore; root: string; seeded: SeededMirror }> {
  const root = await temporaryDirectory("store");
  const store = createFsStore({ root });
  return { store, root, seeded: await seedMirror(store, key) };
}

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function publishedKeys(store: ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list("")) keys.push(info.key);
  return keys;
}

describe("exportBundle", () => {
  it("writes the signed manifest first, then payload, metadata and index files last", async () => {
    const { store } = await seededStore();
    const file = join(await temporaryDirectory("out"), "mirror.tar");
    const result = await exportBundle({ store, file, signingKey: key.privateKey });

    const entries = await readTar(file);
    expect(entries[0]?.name).toBe(MANIFEST_ENTRY);
    const names = entries.slice(1).map(({ name }) => name);
    expect([...names].sort()).toEqual([...(await publishedKeys(store))].sort());
    const ranks = names.map((name) => ["object", "metadata", "index"].indexOf(classifyKey(name)));
    expect(ranks).toEqual([...ranks].sort());
    expect(names.slice(-4)).toEqual([
      "images/streams/v1/index.json",
      "images/streams/v1/index.sjson",
      "juju/tools/streams/v1/index.json",
      AGENTS_INDEX,
    ]);
    expect(result.included).toBe(names.length);
    expect(result.bytes).toBe((await readFile(file)).byteLength);
  });

  it("lists every object with the size and sha256 of the bytes that follow it", async () => {
    const { store } = await seededStore();
    const file = join(await temporaryDirectory("out"), "mirror.tar");
    const { manifest } = await exportBundle({ store, file, signingKey: key.privateKey });
    const entries = await readTar(file);
    for (const object of manifest.objects) {
      const entry = entries.find(({ name }) => name === object.key);
      expect(entry, object.key).toBeDefined();
      expect(entry?.size).toBe(object.size);
      expect(sha256Hex(entry?.body ?? "")).toBe(object.sha256);
    }
  });

  it("signs the manifest so that gpgv accepts it with the operator's public key", async () => {
    const { store } = await seededStore();
    const file = join(await temporaryDirectory("out"), "mirror.tar");
    const { manifest } = await exportBundle({ store, file, signingKey: key.privateKey });
    const signed = (await readTar(file))[0]?.body.toString("utf8") ?? "";
    const gpgv = await gpgvVerifyText(signed, key.publicKey);
    expect(gpgv.code).toBe(0);
    expect(gpgv.valid?.fingerprint).toBe(key.fingerprint);
    expect(parseManifest(gpgv.text)).toEqual(manifest);
  });

  it("carries each job's generations and the settings of its report, never internal files", async () => {
    const { store, seeded } = await seededStore();
    const file = join(await temporaryDirectory("out"), "mirror.tar");
    const { manifest } = await exportBundle({ store, file, signingKey: key.privateKey });
    expect(manifest.jobs).toEqual({
      agents: {
        generation: 1,
        generations: { "1": seeded.publishedAt },
        settings: { mode: "filtered", filters: { streams: ["released"], legacyTools: false } },
      },
      images: { generation: 1, generations: { "1": seeded.publishedAt } },
    });
    const names = (await readTar(file)).map(({ name }) => name);
    expect(names.filter((name) => name.startsWith("."))).toEqual([]);
  });

  it("hashes objects whose sha256 the store did not record", async () => {
    const { store, root } = await seededStore();
    await writeFile(join(root, "juju/tools/agent/hand-copied.tgz"), "copied by hand");
    expect((await store.head("juju/tools/agent/hand-copied.tgz"))?.sha256).toBeUndefined();
    const file = join(await temporaryDirectory("out"), "mirror.tar");
    const { manifest } = await exportBundle({ store, file, signingKey: key.privateKey });
    expect(manifest.objects.find(({ key }) => key === "juju/tools/agent/hand-copied.tgz")).toEqual({
      key: "juju/tools/agent/hand-copied.tgz",
      size: 14,
      sha256: sha256Hex("copied by hand"),
      included: true,
    });
  });

  it("with since, carries only payload written after that generation, and all metadata", async () => {
    const { store, seeded } = await seededStore();
    const added = await publishSecondGeneration(store, seeded);
    const file = join(await temporaryDirectory("out"), "since.tar");
    const result = await exportBundle({
      store,
      file,
      signingKey: key.privateKey,
      since: { job: "agents", generation: 1 },
    });
    const names = (await readTar(file)).slice(1).map(({ name }) => name);
    expect(names.filter((name) => classifyKey(name) === "object")).toEqual([added.key]);
    const keys = await publishedKeys(store);
    expect(names.slice(1)).toEqual(
      keys.filter((name) => classifyKey(name) !== "object").sort(compareForBundle),
    );
    expect(result.manifest.since).toEqual({
      job: "agents",
      generation: 1,
      publishedAt: seeded.publishedAt,
    });
    const left = result.manifest.objects.filter(({ included }) => !included);
    expect(left.map(({ key }) => key)).toEqual(seeded.agents.map(({ key }) => key));
    expect(left.map(({ sha256 }) => sha256)).toEqual(seeded.agents.map(({ sha256 }) => sha256));
    expect(result.excluded).toBe(2);
  });

  it("refuses a since generation the store does not know, writing nothing", async () => {
    const { store } = await seededStore();
    const file = join(await temporaryDirectory("out"), "since.tar");
    await expect(
      exportBundle({
        store,
        file,
        signingKey: key.privateKey,
        since: { job: "agents", generation: 7 },
      }),
    ).rejects.toThrow(BundleInputError);
    expect(await exists(file)).toBe(false);
    expect(await exists(`${file}.partial`)).toBe(false);
  });

  it("leaves neither FILE nor FILE.partial when an object vanishes mid-export", async () => {
    const { store, seeded } = await seededStore();
    const victim = seeded.agents[1]?.key as string;
    let reads = 0;
    const vanishing: ObjectStore = {
      ...store,
      async get(objectKey, options) {
        if (objectKey === victim && ++reads === 1) await store.delete([victim]);
        return store.get(objectKey, options);
      },
    };
    const file = join(await temporaryDirectory("out"), "mirror.tar");
    const failure = exportBundle({ store: vanishing, file, signingKey: key.privateKey });
    await expect(failure).rejects.toThrow(BundleError);
    await expect(failure).rejects.toThrow(`"${victim}" vanished from the store during the export`);
    expect(reads).toBe(1);
    expect(await exists(file)).toBe(false);
    expect(await exists(`${file}.partial`)).toBe(false);
  });

  it("fails when an object's bytes change while they are read, naming it", async () => {
    const { store, seeded } = await seededStore();
    const victim = seeded.agents[0]?.key as string;
    const changing: ObjectStore = {
      ...store,
      async get(objectKey, options) {
        const object = await store.get(objectKey, options);
        if (objectKey !== victim || object === null) return object;
        const bytes = new Uint8Array(await new Response(object.body).arrayBuffer());
        bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
        return { ...object, body: new Response(bytes).body as ReadableStream<Uint8Array> };
      },
    };
    const file = join(await temporaryDirectory("out"), "mirror.tar");
    await expect(
      exportBundle({ store: changing, file, signingKey: key.privateKey }),
    ).rejects.toThrow(`"${victim}" changed in the store during the export`);
    expect(await exists(file)).toBe(false);
    expect(await exists(`${file}.partial`)).toBe(false);
  });

  it("fails when a sync publishes a new generation during the export", async () => {
    const { store, seeded } = await seededStore();
    const publishing: ObjectStore = {
      ...store,
      async get(objectKey, options) {
        if (objectKey === AGENTS_INDEX) {
          await putJobState(store, {
            job: "agents",
            generation: 2,
            generations: { "1": seeded.publishedAt, "2": new Date().toISOString() },
          });
        }
        return store.get(objectKey, options);
      },
    };
    const file = join(await temporaryDirectory("out"), "mirror.tar");
    await expect(
      exportBundle({ store: publishing, file, signingKey: key.privateKey }),
    ).rejects.toThrow(/published a new generation during the export/);
    expect(await exists(file)).toBe(false);
  });

  it("refuses a store without published objects", async () => {
    const store = createFsStore({ root: await temporaryDirectory("empty") });
    const file = join(await temporaryDirectory("out"), "mirror.tar");
    await expect(exportBundle({ store, file, signingKey: key.privateKey })).rejects.toThrow(
      /nothing to export/,
    );
    expect(await exists(file)).toBe(false);
  });

  it("refuses a key that cannot sign before reading the store", async () => {
    const { store } = await seededStore();
    const file = join(await temporaryDirectory("out"), "mirror.tar");
    await expect(exportBundle({ store, file, signingKey: key.publicKey })).rejects.toThrow(
      UnusableKeyError,
    );
    expect(await exists(file)).toBe(false);
  });

  it("names the file when it cannot be written", async () => {
    const { store } = await seededStore();
    const file = join(await temporaryDirectory("out"), "missing-folder", "mirror.tar");
    await expect(exportBundle({ store, file, signingKey: key.privateKey })).rejects.toThrow(
      `writing ${file} failed`,
    );
  });
});
