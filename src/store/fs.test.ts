import { mkdtemp, rename, rm, stat, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFsStore } from "./fs.ts";
import type { ObjectStore } from "./object-store.ts";
import { runStoreContract } from "./store-contract.ts";

let base = "";
let count = 0;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "streamgate-fs-contract-"));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

runStoreContract({
  name: "fs",
  createStore: () => createFsStore({ root: join(base, `store-${++count}`) }),
  largeObjects: { measureRss: () => process.memoryUsage().rss },
});

async function textOf(store: ObjectStore, key: string): Promise<string | null> {
  const object = await store.get(key);
  return object === null ? null : new Response(object.body).text();
}

describe("fs store over files changed behind its back", () => {
  const KEY = "juju/tools/streams/v1/index2.json";
  let root = "";
  let store: ObjectStore;

  beforeAll(() => {
    root = join(base, `hand-${++count}`);
    store = createFsStore({ root });
  });

  it("serves a small file edited in place with its new bytes, same size or not", async () => {
    const path = join(root, KEY);
    await store.put(KEY, '{"v": 1}\n');
    expect(await textOf(store, KEY)).toBe('{"v": 1}\n');
    await writeFile(path, '{"v": 300}\n');
    expect(await textOf(store, KEY)).toBe('{"v": 300}\n');
    // Same size: told apart by mtime, as an editor saving a second later would leave it
    // (kernels with coarse timestamps give two writes in one tick the same mtime).
    const { mtime } = await stat(path);
    await writeFile(path, '{"v": 301}\n');
    await utimes(path, mtime, new Date(mtime.getTime() + 1000));
    expect(await textOf(store, KEY)).toBe('{"v": 301}\n');
  });

  it("serves a small file renamed over by hand with its new bytes", async () => {
    await store.put(KEY, '{"v": 1}\n');
    await textOf(store, KEY);
    await writeFile(join(root, "next.json"), '{"v": 9}\n');
    await rename(join(root, "next.json"), join(root, KEY));
    expect(await textOf(store, KEY)).toBe('{"v": 9}\n');
  });

  it("answers null for a small file deleted by hand after it was read", async () => {
    await store.put(KEY, '{"v": 1}\n');
    await textOf(store, KEY);
    await rm(join(root, KEY));
    expect(await store.get(KEY)).toBeNull();
  });

  it("reads ranges of a small file it has read whole before", async () => {
    await store.put(KEY, "0123456789");
    await textOf(store, KEY);
    const object = await store.get(KEY, { range: { offset: 2, length: 3 } });
    expect(object?.range).toEqual({ offset: 2, length: 3 });
    expect(await new Response(object?.body).text()).toBe("234");
    const suffix = await store.get(KEY, { range: { suffix: 2 } });
    expect(await new Response(suffix?.body).text()).toBe("89");
  });

  it("hands each reader its own bytes: changing one body changes no other", async () => {
    await store.put(KEY, "0123456789");
    for (let i = 0; i < 2; i++) {
      const object = await store.get(KEY);
      const reader = object?.body.getReader();
      const chunk = await reader?.read();
      expect(new TextDecoder().decode(chunk?.value)).toBe("0123456789");
      chunk?.value?.fill(0);
      await reader?.cancel();
    }
  });

  it("reads a sidecar once per file: the recorded sha256 outlives the sidecar file, not the data file", async () => {
    const info = await store.put(KEY, '{"v": 1}\n');
    await rm(join(root, ".streamgate/fs/meta"), { recursive: true, force: true });
    expect((await store.head(KEY))?.sha256).toBe(info.sha256);
    expect((await store.get(KEY))?.etag).toBe(info.sha256);
    await writeFile(join(root, KEY), '{"v": 20}\n');
    const edited = await store.head(KEY);
    expect(edited?.sha256).toBeUndefined();
    expect(edited?.etag).not.toBe(info.sha256);
  });
});
