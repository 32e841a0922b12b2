import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../store/memory.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { createImportSession, STAGING_PREFIX } from "./import-session.ts";
import type { BundleObject } from "./manifest.ts";
import { sha256Hex, snapshotStore } from "./test-support.ts";

const TARBALL = "juju/tools/agent/3.6.1/juju-3.6.1-ubuntu-amd64.tgz";
const PRODUCTS = "juju/tools/streams/v1/com.ubuntu.juju-released-agents.json";
const INDEX = "juju/tools/streams/v1/index2.json";

function listed(key: string, body: string): BundleObject {
  return { key, size: Buffer.byteLength(body), sha256: sha256Hex(body), included: true };
}

async function* bytes(text: string): AsyncGenerator<Uint8Array> {
  yield new TextEncoder().encode(text);
}

/** A store that records the order of puts to published keys and can fail one of them. */
function recording(store: ObjectStore, failOn?: string): { store: ObjectStore; puts: string[] } {
  const puts: string[] = [];
  return {
    puts,
    store: {
      ...store,
      async put(key, body, options) {
        if (key === failOn) throw new Error(`put of ${key} refused`);
        if (!key.startsWith(STAGING_PREFIX)) puts.push(key);
        return store.put(key, body, options);
      },
    },
  };
}

async function keysUnder(store: ObjectStore, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list(prefix)) keys.push(info.key);
  return keys;
}

describe("createImportSession", () => {
  it("writes free payload in place and holds metadata back until publish", async () => {
    const store = createMemoryStore();
    const session = createImportSession(store);
    await session.receive(listed(TARBALL, "tarball"), bytes("tarball"), 0);
    await session.receive(listed(INDEX, "index"), bytes("index"), 1);
    expect(await keysUnder(store, "juju/")).toEqual([TARBALL]);
    expect(await keysUnder(store, STAGING_PREFIX)).toHaveLength(1);
    await session.publish();
    await session.discardStaging();
    expect(await keysUnder(store, "juju/")).toEqual([TARBALL, INDEX]);
    expect(await keysUnder(store, STAGING_PREFIX)).toEqual([]);
    expect(session.written).toBe(2);
  });

  it("publishes replaced payload, then product files, then index files", async () => {
    const { store, puts } = recording(createMemoryStore());
    await store.put(TARBALL, "older bytes");
    const session = createImportSession(store);
    puts.length = 0;
    await session.receive(listed(INDEX, "index"), bytes("index"), 0);
    await session.receive(listed(PRODUCTS, "products"), bytes("products"), 1);
    await session.receive(listed(TARBALL, "tarball"), bytes("tarball"), 2);
    expect(puts).toEqual([]);
    await session.publish();
    expect(puts).toEqual([TARBALL, PRODUCTS, INDEX]);
  });

  it("checks but leaves alone an object the store already holds", async () => {
    const store = createMemoryStore();
    await store.put(TARBALL, "tarball");
    const before = await snapshotStore(store);
    const session = createImportSession(store);
    await session.receive(listed(TARBALL, "tarball"), bytes("tarball"), 0);
    expect(session.unchanged).toBe(1);
    expect(session.written).toBe(0);
    await expect(session.receive(listed(TARBALL, "tarball"), bytes("tarbalL"), 0)).rejects.toThrow(
      `"${TARBALL}" failed: its bytes in the bundle do not match the manifest`,
    );
    expect(await snapshotStore(store)).toEqual(before);
  });

  it("refuses wrong bytes without writing them, naming the object", async () => {
    const store = createMemoryStore();
    const session = createImportSession(store);
    await expect(session.receive(listed(TARBALL, "tarball"), bytes("TARBALL"), 0)).rejects.toThrow(
      `"${TARBALL}" failed: its bytes in the bundle do not match the manifest`,
    );
    expect(await snapshotStore(store)).toEqual(new Map());
  });

  it("reports a broken archive as damage inside the object", async () => {
    const store = createMemoryStore();
    const session = createImportSession(store);
    async function* cut(): AsyncGenerator<Uint8Array> {
      yield new TextEncoder().encode("tar");
      throw new Error("Unexpected end of data");
    }
    await expect(session.receive(listed(TARBALL, "tarball"), cut(), 0)).rejects.toThrow(
      `"${TARBALL}" failed: the bundle is damaged or truncated inside it (Unexpected end of data)`,
    );
  });

  it("rolls created payload back before any metadata is published", async () => {
    const store = createMemoryStore();
    const session = createImportSession(store);
    await session.receive(listed(TARBALL, "tarball"), bytes("tarball"), 0);
    await session.rollback();
    expect(await keysUnder(store, "juju/")).toEqual([]);
  });

  it("keeps created payload once published metadata may name it", async () => {
    const { store } = recording(createMemoryStore(), INDEX);
    const session = createImportSession(store);
    await session.receive(listed(TARBALL, "tarball"), bytes("tarball"), 0);
    await session.receive(listed(PRODUCTS, "products"), bytes("products"), 1);
    await session.receive(listed(INDEX, "index"), bytes("index"), 2);
    await expect(session.publish()).rejects.toThrow(`put of ${INDEX} refused`);
    await session.rollback();
    await session.discardStaging();
    expect(await keysUnder(store, "juju/")).toEqual([TARBALL, PRODUCTS]);
    expect(await keysUnder(store, STAGING_PREFIX)).toEqual([]);
  });
});
