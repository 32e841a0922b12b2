import { readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { IMAGES_LOCK_KEY } from "../images/images-lock.ts";
import { readJobState } from "../scheduler/job-state-store.ts";
import { clearsign } from "../signing/clearsign.ts";
import type { GeneratedSigningKey } from "../signing/generate-key.ts";
import { generateTestKey } from "../signing/test-support.ts";
import { createFsStore } from "../store/fs.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { AGENTS_LOCK_KEY } from "../sync/layout.ts";
import { createLeaseLock, LockHeldError } from "../sync/lease-lock.ts";
import { BundleError, BundleInputError } from "./errors.ts";
import { exportBundle } from "./export-bundle.ts";
import { importBundle } from "./import-bundle.ts";
import { STAGING_PREFIX } from "./import-session.ts";
import {
  BUNDLE_FORMAT,
  type BundleManifest,
  type BundleObject,
  MANIFEST_ENTRY,
  renderManifest,
} from "./manifest.ts";
import {
  AGENTS_INDEX,
  listTree,
  publishSecondGeneration,
  putAgent,
  type RawEntry,
  readTar,
  type SeededAgent,
  type SeededMirror,
  seedMirror,
  sha256Hex,
  snapshotStore,
  temporaryDirectory,
  writeRawTar,
} from "./test-support.ts";

let operator: GeneratedSigningKey;
let stranger: GeneratedSigningKey;
let online: ObjectStore;
let seeded: SeededMirror;
let fullBundle: string;
let secondAgent: SeededAgent;
/** Generation 2 of the online store, whole and --since 1. */
let secondFull: string;
let secondSince: string;

beforeAll(async () => {
  [operator, stranger] = await Promise.all([
    generateTestKey("bundle operator"),
    generateTestKey("someone else"),
  ]);
  online = createFsStore({ root: await temporaryDirectory("online") });
  seeded = await seedMirror(online, operator);
  const out = await temporaryDirectory("bundles");
  fullBundle = join(out, "generation-1.tar");
  await exportBundle({ store: online, file: fullBundle, signingKey: operator.privateKey });
  secondAgent = await publishSecondGeneration(online, seeded);
  secondFull = join(out, "generation-2.tar");
  await exportBundle({ store: online, file: secondFull, signingKey: operator.privateKey });
  secondSince = join(out, "generation-2-since-1.tar");
  await exportBundle({
    store: online,
    file: secondSince,
    signingKey: operator.privateKey,
    since: { job: "agents", generation: 1 },
  });
});

async function emptyStore(): Promise<{ store: ObjectStore; root: string }> {
  const root = await temporaryDirectory("offline");
  return { store: createFsStore({ root }), root };
}

/** Published keys and the sha256 of their bytes. */
async function published(store: ObjectStore): Promise<Map<string, string>> {
  const snapshot = await snapshotStore(store);
  return new Map([...snapshot].filter(([key]) => !key.startsWith(".streamgate/")));
}

async function publishedAsOfGeneration1(): Promise<Map<string, string>> {
  const { store } = await emptyStore();
  await importBundle({ store, file: fullBundle, keys: operator.publicKey });
  return published(store);
}

/** A copy of `file` with `change` applied to its bytes. */
async function damaged(file: string, change: (bytes: Buffer) => Buffer): Promise<string> {
  const copy = join(await temporaryDirectory("damaged"), "bundle.tar");
  await writeFile(copy, change(await readFile(file)));
  return copy;
}

async function entryOffset(file: string, name: string): Promise<{ offset: number; size: number }> {
  const entry = (await readTar(file)).find((candidate) => candidate.name === name);
  if (entry === undefined) throw new Error(`${name} is not in ${file}`);
  return { offset: entry.offset, size: entry.size };
}

/** A bundle no exporter would write: `objects` signed by `key`, then exactly `entries`. */
async function craftBundle(
  objects: BundleObject[],
  entries: RawEntry[],
  key: GeneratedSigningKey = operator,
): Promise<string> {
  const manifest: BundleManifest = {
    format: BUNDLE_FORMAT,
    createdAt: "2026-11-24T10:00:00.000Z",
    jobs: {},
    objects,
  };
  const signed = await clearsign(renderManifest(manifest), key.privateKey);
  const file = join(await temporaryDirectory("crafted"), "bundle.tar");
  await writeFile(file, await writeRawTar([{ name: MANIFEST_ENTRY, body: signed }, ...entries]));
  return file;
}

function listed(key: string, body: string): BundleObject {
  return { key, size: Buffer.byteLength(body), sha256: sha256Hex(body), included: true };
}

/** Imports `file` into `store`, expects a refusal matching `message`, and that nothing changed. */
async function expectRefused(
  store: ObjectStore,
  root: string,
  file: string,
  message: RegExp | string,
) {
  const before = await snapshotStore(store);
  const treeBefore = await listTree(root);
  const failure = importBundle({ store, file, keys: operator.publicKey });
  await expect(failure).rejects.toThrow(BundleError);
  await expect(failure).rejects.toThrow(message);
  expect(await snapshotStore(store)).toEqual(before);
  expect(await listTree(root)).toEqual(treeBefore);
}

describe("importBundle", () => {
  it("recreates every published object byte for byte in an empty store", async () => {
    const { store } = await emptyStore();
    const result = await importBundle({ store, file: fullBundle, keys: operator.publicKey });
    const expected = await publishedAsOfGeneration1();
    expect(await published(store)).toEqual(expected);
    expect([...expected.keys()]).toContain(seeded.agents[0]?.key);
    expect(expected.get(seeded.agents[1]?.key as string)).toBe(seeded.agents[1]?.sha256);
    expect(result).toMatchObject({
      written: expected.size,
      unchanged: 0,
      jobs: ["agents", "images"],
      signer: { fingerprint: operator.fingerprint },
    });
    const staging: string[] = [];
    for await (const info of store.list(STAGING_PREFIX)) staging.push(info.key);
    expect(staging).toEqual([]);
  });

  it("matches the online store's published tree exactly", async () => {
    const { store } = await emptyStore();
    await importBundle({ store, file: secondFull, keys: operator.publicKey });
    expect(await published(store)).toEqual(await published(online));
  });

  it("carries the job generations into the store's job state", async () => {
    const { store } = await emptyStore();
    await importBundle({
      store,
      file: fullBundle,
      keys: operator.publicKey,
      now: () => new Date("2026-11-24T10:00:00Z"),
    });
    expect(await readJobState(store, "agents")).toMatchObject({
      job: "agents",
      generation: 1,
      generations: { "1": seeded.publishedAt },
      lastSuccess: { outcome: "ok", generation: 1, startedAt: "2026-11-24T10:00:00.000Z" },
    });
    expect((await readJobState(store, "images"))?.generation).toBe(1);
  });

  it("leaves objects it already holds alone when the same bundle is imported again", async () => {
    const { store } = await emptyStore();
    await importBundle({ store, file: fullBundle, keys: operator.publicKey });
    const before = await snapshotStore(store);
    const etags = new Map<string, string>();
    for await (const info of store.list("")) etags.set(info.key, `${info.lastModified.getTime()}`);
    const again = await importBundle({ store, file: fullBundle, keys: operator.publicKey });
    expect(again.written).toBe(0);
    expect(again.unchanged).toBe(before.size - 2);
    for await (const info of store.list("")) {
      expect(`${info.lastModified.getTime()}`, info.key).toBe(etags.get(info.key));
    }
  });

  it("applies an incremental bundle on top of the earlier import", async () => {
    const { store } = await emptyStore();
    await importBundle({ store, file: fullBundle, keys: operator.publicKey });
    const sinceEntries = (await readTar(secondSince)).map(({ name }) => name);
    expect(sinceEntries).toContain(secondAgent.key);
    expect(sinceEntries).not.toContain(seeded.agents[0]?.key);
    const result = await importBundle({ store, file: secondSince, keys: operator.publicKey });
    expect(await published(store)).toEqual(await published(online));
    expect(result.manifest.since?.generation).toBe(1);
    expect(await readJobState(store, "agents")).toMatchObject({
      generation: 2,
      generations: { "1": seeded.publishedAt },
    });
  });

  it("refuses an incremental bundle whose left-out objects the store lacks", async () => {
    const { store, root } = await emptyStore();
    await expectRefused(
      store,
      root,
      secondSince,
      `leaves out "${seeded.agents[0]?.key}", which this store does not hold`,
    );
  });

  it("refuses a bundle with a flipped byte inside a tarball, naming it, and changes nothing", async () => {
    const { store, root } = await emptyStore();
    await importBundle({ store, file: fullBundle, keys: operator.publicKey });
    const { offset, size } = await entryOffset(secondFull, secondAgent.key);
    const corrupt = await damaged(secondFull, (bytes) => {
      const at = offset + Math.floor(size / 2);
      bytes[at] = (bytes[at] ?? 0) ^ 0x01;
      return bytes;
    });
    await expectRefused(
      store,
      root,
      corrupt,
      `"${secondAgent.key}" failed: its bytes in the bundle do not match the manifest`,
    );
    expect(await published(store)).toEqual(await publishedAsOfGeneration1());
  });

  it("refuses a corrupt product file without touching the live one", async () => {
    const { store, root } = await emptyStore();
    await importBundle({ store, file: fullBundle, keys: operator.publicKey });
    const name = "juju/tools/streams/v1/com.ubuntu.juju-released-agents.json";
    const { offset } = await entryOffset(secondFull, name);
    const corrupt = await damaged(secondFull, (bytes) => {
      bytes[offset + 10] = (bytes[offset + 10] ?? 0) ^ 0x20;
      return bytes;
    });
    await expectRefused(store, root, corrupt, `"${name}" failed`);
  });

  it("refuses a bundle truncated inside a tarball, naming it, and leaves an empty store empty", async () => {
    const { store, root } = await emptyStore();
    const victim = seeded.agents[1]?.key as string;
    const { offset, size } = await entryOffset(fullBundle, victim);
    const truncated = await damaged(fullBundle, (bytes) => bytes.subarray(0, offset + size / 2));
    await expectRefused(
      store,
      root,
      truncated,
      `"${victim}" failed: the bundle is damaged or truncated`,
    );
    expect(await snapshotStore(store)).toEqual(new Map());
  });

  it("refuses a bundle that ends between two entries, naming the first object missing", async () => {
    const { store, root } = await emptyStore();
    const first = seeded.agents[0] as SeededAgent;
    const { offset, size } = await entryOffset(fullBundle, first.key);
    const cut = join(await temporaryDirectory("cut"), "bundle.tar");
    await writeFile(cut, await readFile(fullBundle));
    await truncate(cut, offset + Math.ceil(size / 512) * 512);
    const listedObjects = (await readTar(fullBundle)).length - 1;
    await expectRefused(
      store,
      root,
      cut,
      `lacks ${listedObjects - 1} object(s) its manifest lists, first "${seeded.agents[1]?.key}"`,
    );
  });

  it("refuses a manifest signed by another key before writing anything", async () => {
    const { store, root } = await emptyStore();
    const failure = importBundle({ store, file: fullBundle, keys: stranger.publicKey });
    await expect(failure).rejects.toThrow(/not validly signed by a trusted key/);
    await expect(failure).rejects.toThrow(/unknown key/);
    expect(await snapshotStore(store)).toEqual(new Map());
    expect(await listTree(root)).toEqual([]);
  });

  it("refuses a bundle signed by another key even when its bytes are intact", async () => {
    const { store, root } = await emptyStore();
    const body = "payload";
    const file = await craftBundle(
      [listed("juju/tools/agent/x.tgz", body)],
      [{ name: "juju/tools/agent/x.tgz", body }],
      stranger,
    );
    await expectRefused(store, root, file, /unknown key/);
  });

  it("refuses an unsigned manifest", async () => {
    const { store, root } = await emptyStore();
    const manifest = renderManifest({
      format: BUNDLE_FORMAT,
      createdAt: "2026-11-24T10:00:00Z",
      jobs: {},
      objects: [],
    });
    const file = join(await temporaryDirectory("unsigned"), "bundle.tar");
    await writeFile(file, await writeRawTar([{ name: MANIFEST_ENTRY, body: manifest }]));
    await expectRefused(store, root, file, /not validly signed/);
  });

  it("refuses a manifest altered after it was signed", async () => {
    const { store, root } = await emptyStore();
    const entries = await readTar(fullBundle);
    const signed = entries[0]?.body.toString("utf8") ?? "";
    const altered = signed.replace(
      `"size": ${seeded.agents[0]?.size}`,
      `"size": ${(seeded.agents[0]?.size ?? 0) + 1}`,
    );
    expect(altered).not.toBe(signed);
    const file = join(await temporaryDirectory("altered"), "bundle.tar");
    await writeFile(file, await writeRawTar([{ name: MANIFEST_ENTRY, body: altered }]));
    await expectRefused(store, root, file, /does not verify/);
  });

  it("refuses a file whose first entry is not the manifest", async () => {
    const { store, root } = await emptyStore();
    const file = join(await temporaryDirectory("plain"), "bundle.tar");
    await writeFile(file, await writeRawTar([{ name: "juju/tools/agent/x.tgz", body: "x" }]));
    await expectRefused(store, root, file, `first entry must be ${MANIFEST_ENTRY}`);
  });

  it.each([["../evil"], [".streamgate/state/agents.json"], ["/etc/cron.d/evil"]])(
    "refuses the entry %s and removes what the import had written",
    async (name) => {
      const { store, root } = await emptyStore();
      const body = "tarball bytes";
      const file = await craftBundle(
        [listed("juju/tools/agent/x.tgz", body)],
        [
          { name: "juju/tools/agent/x.tgz", body },
          { name, body: '{"job":"agents","generation":99,"generations":{}}' },
        ],
      );
      await expectRefused(store, root, file, "is not a safe object key");
    },
  );

  it("refuses an entry its manifest does not list", async () => {
    const { store, root } = await emptyStore();
    const body = "tarball bytes";
    const file = await craftBundle(
      [listed("juju/tools/agent/x.tgz", body)],
      [
        { name: "juju/tools/agent/x.tgz", body },
        { name: "juju/tools/agent/unlisted.tgz", body },
      ],
    );
    await expectRefused(
      store,
      root,
      file,
      `"juju/tools/agent/unlisted.tgz" is not in its signed manifest`,
    );
  });

  it("refuses an entry that appears twice", async () => {
    const { store, root } = await emptyStore();
    const body = "tarball bytes";
    const file = await craftBundle(
      [listed("juju/tools/agent/x.tgz", body)],
      [
        { name: "juju/tools/agent/x.tgz", body },
        { name: "juju/tools/agent/x.tgz", body },
      ],
    );
    await expectRefused(store, root, file, `"juju/tools/agent/x.tgz" appears twice`);
  });

  it("refuses an entry that is not a plain file", async () => {
    const { store, root } = await emptyStore();
    const file = await craftBundle(
      [listed("juju/tools/agent/x.tgz", "")],
      [{ name: "juju/tools/agent/x.tgz", body: "", type: "symlink" }],
    );
    await expectRefused(store, root, file, "is a symlink, not a file");
  });

  it("refuses an entry whose size differs from its manifest", async () => {
    const { store, root } = await emptyStore();
    const file = await craftBundle(
      [listed("juju/tools/agent/x.tgz", "short")],
      [{ name: "juju/tools/agent/x.tgz", body: "longer than listed" }],
    );
    await expectRefused(store, root, file, "has 18 bytes, its manifest says 5");
  });

  it("keeps a different tarball already at a key until the bundle checks out", async () => {
    const { store, root } = await emptyStore();
    const other = await putAgent(store, "3.6.1", "amd64", 1000);
    const { offset } = await entryOffset(fullBundle, AGENTS_INDEX);
    const corrupt = await damaged(fullBundle, (bytes) => {
      bytes[offset + 3] = (bytes[offset + 3] ?? 0) ^ 0x20;
      return bytes;
    });
    await expectRefused(store, root, corrupt, `"${AGENTS_INDEX}" failed`);
    expect((await store.head(other.key))?.sha256).toBe(other.sha256);
    await importBundle({ store, file: fullBundle, keys: operator.publicKey });
    expect((await store.head(other.key))?.sha256).toBe(seeded.agents[0]?.sha256);
  });

  it("refuses a file that is not a tar archive", async () => {
    const { store, root } = await emptyStore();
    const file = join(await temporaryDirectory("noise"), "bundle.tar");
    await writeFile(file, Buffer.alloc(4096, 0x41));
    await expectRefused(
      store,
      root,
      file,
      "the bundle is damaged or truncated after (start of the bundle)",
    );
  });

  it("round-trips an empty object", async () => {
    const source = createFsStore({ root: await temporaryDirectory("tiny") });
    await source.put("juju/tools/agent/empty.tgz", "");
    await source.put(AGENTS_INDEX, "{}\n");
    const file = join(await temporaryDirectory("tiny-bundle"), "bundle.tar");
    await exportBundle({ store: source, file, signingKey: operator.privateKey });
    const { store } = await emptyStore();
    const result = await importBundle({ store, file, keys: operator.publicKey });
    expect(result.written).toBe(2);
    expect(await published(store)).toEqual(await published(source));
    expect((await store.head("juju/tools/agent/empty.tgz"))?.size).toBe(0);
  });

  it("reports a bundle file that does not exist as bad input", async () => {
    const { store } = await emptyStore();
    await expect(
      importBundle({
        store,
        file: join(await temporaryDirectory("none"), "missing.tar"),
        keys: operator.publicKey,
      }),
    ).rejects.toThrow(BundleInputError);
  });

  describe("holds the agents and images locks, as a sync would", () => {
    /** A sync holding `key` on `store`, with a live lease. */
    async function syncHolding(store: ObjectStore, key: string) {
      const sync = createLeaseLock({
        store,
        key,
        owner: "streamgate sync (test)",
        leaseMs: 60_000,
      });
      await sync.acquire();
      return sync;
    }

    it.each([AGENTS_LOCK_KEY, IMAGES_LOCK_KEY])(
      "refuses to start while a sync holds %s, writing nothing",
      async (key) => {
        const { store } = await emptyStore();
        const sync = await syncHolding(store, key);
        const before = await snapshotStore(store);
        const refused = importBundle({ store, file: fullBundle, keys: operator.publicKey });
        await expect(refused).rejects.toBeInstanceOf(LockHeldError);
        await expect(refused).rejects.toThrow(/streamgate sync \(test\)/);
        expect(await snapshotStore(store)).toEqual(before);
        await sync.release();
      },
    );

    it("sweeps what a crashed import left staged, now that no other import can own it", async () => {
      const { store } = await emptyStore();
      const leftover = `${STAGING_PREFIX}0d9e8f4a-crashed/juju/tools/streams/v1/index2.json`;
      await store.put(leftover, "{}");
      await importBundle({ store, file: fullBundle, keys: operator.publicKey });
      expect(await store.head(leftover)).toBeNull();
      expect(await published(store)).toEqual(await publishedAsOfGeneration1());
    });

    it("waits for the holder with `wait`, then imports and lets both locks go", async () => {
      const { store } = await emptyStore();
      const sync = await syncHolding(store, AGENTS_LOCK_KEY);
      let waits = 0;
      const result = await importBundle({
        store,
        file: fullBundle,
        keys: operator.publicKey,
        lock: {
          wait: true,
          // The sync finishes while the import waits for it.
          sleep: async () => {
            waits++;
            await sync.release();
          },
        },
      });
      expect(waits).toBeGreaterThan(0);
      expect(await published(store)).toEqual(await publishedAsOfGeneration1());
      expect(result.warnings).toEqual([]);
      expect(await store.head(AGENTS_LOCK_KEY)).toBeNull();
      expect(await store.head(IMAGES_LOCK_KEY)).toBeNull();
    });
  });
});
