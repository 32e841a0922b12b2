import type { Dirent } from "node:fs";
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  utimes,
  writeFile,
} from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { IntegrityError, InvalidKeyError, StoreError } from "./errors.ts";
import { createFsStore } from "./fs.ts";
import { buildFsLayout } from "./fs-layout.ts";
import type { ObjectStore } from "./object-store.ts";
import { collect, failingStream, patternBytes, readText } from "./store-contract-helpers.ts";

let root = "";
let store: ObjectStore;

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "streamgate-fs-layout-"));
  store = createFsStore({ root });
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Every regular file under `dir`, as paths relative to `root`, sorted. */
async function filesUnder(dir: string): Promise<string[]> {
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true, recursive: true });
  } catch {
    return [];
  }
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

const layout = () => buildFsLayout(root);

describe("fs store layout", () => {
  it("writes each object as a plain file at its key, and nothing else outside .streamgate/", async () => {
    await store.put("juju/tools/streams/v1/index2.json", '{"index":{}}\n');
    await store.put("juju/tools/agent/3.5.4/juju-3.5.4-ubuntu-amd64.tgz", patternBytes(5000, 1));
    await store.put(".streamgate/state/agents.json", "{}");
    expect(await readFile(join(root, "juju/tools/streams/v1/index2.json"), "utf8")).toBe(
      '{"index":{}}\n',
    );
    const files = await filesUnder(root);
    expect(files.filter((file) => !file.startsWith(".streamgate/"))).toEqual([
      "juju/tools/agent/3.5.4/juju-3.5.4-ubuntu-amd64.tgz",
      "juju/tools/streams/v1/index2.json",
    ]);
    expect(
      files.filter(
        (file) => file.startsWith(".streamgate/") && !file.startsWith(".streamgate/fs/"),
      ),
    ).toEqual([".streamgate/state/agents.json"]);
  });

  it("keeps one sidecar per object and no temp or lock file once writes are done", async () => {
    await store.put("a/one", "1");
    await store.put("a/two", "2", { ifNoneMatch: "*" });
    const two = await store.head("a/two");
    await store.put("a/two", "22", { ifMatch: two?.etag ?? "" });
    await expect(store.put("a/one", "x", { sha256: "0".repeat(64) })).rejects.toBeInstanceOf(
      IntegrityError,
    );
    expect(await filesUnder(layout().tmpDir)).toEqual([]);
    expect(await filesUnder(layout().locksDir)).toEqual([]);
    const sidecars = await filesUnder(layout().metaDir);
    expect(sidecars).toHaveLength(2);
    const recorded = JSON.parse(await readFile(layout().sidecarPath("a/two"), "utf8"));
    expect(recorded).toMatchObject({ key: "a/two", size: 2 });
    expect(recorded.sha256).toBe((await store.head("a/two"))?.sha256);
  });

  it("leaves no partial file, temp file or sidecar when the body fails half-way", async () => {
    const failure = store.put(
      "broken/x.tgz",
      failingStream([patternBytes(600_000, 2)], new Error("reset")),
    );
    await expect(failure).rejects.toBeInstanceOf(StoreError);
    await expect(failure).rejects.toThrow(/reading the body failed: reset/);
    expect(await filesUnder(root)).toEqual([]);
    await expect(stat(join(root, "broken"))).rejects.toMatchObject({ code: "ENOENT" });
  });

  it("refuses keys under its own .streamgate/fs/ folder and never lists it", async () => {
    await expect(store.put(".streamgate/fs/meta/x", "x")).rejects.toBeInstanceOf(InvalidKeyError);
    await expect(store.get(".streamgate/fs/tmp/x")).rejects.toBeInstanceOf(InvalidKeyError);
    await store.put(".streamgate/lock/agents", "lease");
    expect((await collect(store.list(".streamgate/"))).map((info) => info.key)).toEqual([
      ".streamgate/lock/agents",
    ]);
    expect(await collect(store.list(".streamgate/fs/"))).toEqual([]);
  });

  it("removes emptied folders on delete but keeps the root and busy folders", async () => {
    await store.put("a/b/c/one", "1");
    await store.put("a/keep", "k");
    await store.delete(["a/b/c/one"]);
    await expect(stat(join(root, "a/b"))).rejects.toMatchObject({ code: "ENOENT" });
    expect(await readFile(join(root, "a/keep"), "utf8")).toBe("k");
    await store.delete(["a/keep"]);
    await expect(stat(join(root, "a"))).rejects.toMatchObject({ code: "ENOENT" });
    expect((await stat(root)).isDirectory()).toBe(true);
    expect(await filesUnder(layout().metaDir)).toEqual([]);
  });

  it("removes temp files a crashed writer left a day ago, and keeps recent ones", async () => {
    await mkdir(layout().tmpDir, { recursive: true });
    const leftover = join(layout().tmpDir, "crashed");
    const recent = join(layout().tmpDir, "in-flight");
    await writeFile(leftover, "partial");
    await writeFile(recent, "partial");
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 60 * 60 * 1000);
    await utimes(leftover, twoDaysAgo, twoDaysAgo);
    await createFsStore({ root }).put("x", "x");
    expect(await readdir(layout().tmpDir)).toEqual(["in-flight"]);
  });

  it("starts from a root that does not exist yet", async () => {
    const fresh = createFsStore({ root: join(root, "not/yet") });
    expect(await fresh.get("x")).toBeNull();
    expect(await collect(fresh.list(""))).toEqual([]);
    await fresh.put("x", "made");
    expect(await readFile(join(root, "not/yet/x"), "utf8")).toBe("made");
  });
});

describe("fs store over a tree written by hand", () => {
  it("serves files it did not write, without a sha256 and with an mtime/size etag", async () => {
    await mkdir(join(root, "juju/tools"), { recursive: true });
    await writeFile(join(root, "juju/tools/hand.json"), "by hand");
    const info = await store.head("juju/tools/hand.json");
    expect(info).toMatchObject({ key: "juju/tools/hand.json", size: 7 });
    expect(info?.sha256).toBeUndefined();
    expect(info?.etag).toMatch(/^[0-9a-f]+-7$/);
    const object = await store.get("juju/tools/hand.json");
    expect(await readText(object?.body as ReadableStream<Uint8Array>)).toBe("by hand");
  });

  it("ignores the sidecar once the file is rewritten in place, even at the same size", async () => {
    const written = await store.put("f/x", "original");
    expect((await store.head("f/x"))?.sha256).toBe(written.sha256);
    await writeFile(join(root, "f/x"), "replaced");
    const info = await store.head("f/x");
    expect(info?.sha256).toBeUndefined();
    expect(info?.etag).not.toBe(written.etag);
    expect(await readText((await store.get("f/x"))?.body as ReadableStream<Uint8Array>)).toBe(
      "replaced",
    );
  });

  it("ignores the sidecar once the file is swapped for another with the same size and mtime", async () => {
    const written = await store.put("f/y", "original");
    const before = await stat(join(root, "f/y"));
    await writeFile(join(root, "f/y.new"), "swapped!");
    await utimes(join(root, "f/y.new"), before.atime, before.mtime);
    await rename(join(root, "f/y.new"), join(root, "f/y"));
    const info = await store.head("f/y");
    expect(info?.size).toBe(written.size);
    expect(info?.sha256).toBeUndefined();
  });

  it("lists neither dot-files nor folder symlinks, and lists symlinked files", async () => {
    await mkdir(join(root, "t/.git"), { recursive: true });
    await writeFile(join(root, "t/.git/config"), "x");
    await writeFile(join(root, "t/.hidden"), "x");
    await writeFile(join(root, "t/visible"), "x");
    await symlink(join(root, "t/visible"), join(root, "t/linked-file"));
    await symlink(join(root, "t"), join(root, "t/loop"));
    expect((await collect(store.list("t/"))).map((info) => info.key)).toEqual([
      "t/linked-file",
      "t/visible",
    ]);
  });

  it("answers null for a folder and leaves it alone on delete", async () => {
    await mkdir(join(root, "folder/inner"), { recursive: true });
    expect(await store.get("folder")).toBeNull();
    expect(await store.head("folder/inner")).toBeNull();
    await store.delete(["folder/inner"]);
    expect((await stat(join(root, "folder/inner"))).isDirectory()).toBe(true);
  });

  it("fails with a StoreError when a key runs through an object", async () => {
    await store.put("file", "I am a file");
    const failure = store.put("file/below", "x");
    await expect(failure).rejects.toBeInstanceOf(StoreError);
    await expect(failure).rejects.toThrow(/\[streamgate\] \[fs\] put failed for "file\/below"/);
    expect(await readFile(join(root, "file"), "utf8")).toBe("I am a file");
    expect(await filesUnder(layout().tmpDir)).toEqual([]);
  });
});
