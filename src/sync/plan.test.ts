import { describe, expect, it } from "vitest";
import type { ObjectInfo } from "../store/object-store.ts";
import type { AgentsTree, MetadataFile, TarballSpec } from "./build-tree.ts";
import { planAgentsSync } from "./plan.ts";
import type { ServedTree } from "./served-tree.ts";

function spec(path: string, size = 10): TarballSpec {
  return {
    path,
    size,
    sha256: path.length.toString(16).padStart(64, "0"),
    items: [`item of ${path}`],
  };
}

function file(path: string, kind: "product" | "index", sha256 = "1".repeat(64)): MetadataFile {
  return { path, kind, bytes: new Uint8Array(5), sha256 };
}

function info(size: number, sha256: string | undefined): ObjectInfo {
  return {
    key: "k",
    size,
    etag: "e",
    lastModified: new Date(0),
    ...(sha256 === undefined ? {} : { sha256 }),
  };
}

function served(paths: { metadata?: string[]; tarballs?: string[] } = {}): ServedTree {
  return {
    metadata: new Map((paths.metadata ?? []).map((path) => [path, info(1, "x")])),
    namedProducts: new Set(),
    tarballs: new Set(paths.tarballs ?? []),
    problems: [],
  };
}

const A = spec("agent/1/a.tgz");
const B = spec("agent/2/b.tgz");
const C = spec("agent/3/c.tgz");
const D = spec("agent/4/d.tgz");

function tree(overrides: Partial<AgentsTree> = {}): AgentsTree {
  return {
    tarballs: new Map([A, B, C, D].map((tarball) => [tarball.path, tarball])),
    products: [file("streams/v1/p-aaa.json", "product")],
    indexes: [file("streams/v1/index2.json", "index")],
    removeAfterSwitch: ["streams/v1/index2.sjson", "streams/v1/index.json"],
    selection: { versions: [], items: 4, latest: {}, missingPins: [] },
    ...overrides,
  };
}

describe("planAgentsSync", () => {
  it("copies missing tarballs and those held with other bytes, skips those held right", () => {
    const plan = planAgentsSync({
      tree: tree(),
      tarballHeads: new Map([
        [A.path, info(A.size, A.sha256)],
        [B.path, null],
        [C.path, info(C.size + 1, C.sha256)],
        [D.path, info(D.size, undefined)],
      ]),
      metadataHeads: new Map(),
      served: served(),
    });
    expect(plan.held.map((held) => held.path)).toEqual([A.path]);
    expect(plan.copies.map(({ path, reason }) => ({ path, reason }))).toEqual([
      { path: B.path, reason: "missing" },
      { path: C.path, reason: "differs" },
      { path: D.path, reason: "differs" },
    ]);
  });

  it("replaces a tarball the served tree names last, and one found corrupt again", () => {
    const plan = planAgentsSync({
      tree: tree(),
      tarballHeads: new Map([
        [A.path, info(A.size, "f".repeat(64))],
        [B.path, null],
        [C.path, info(C.size, C.sha256)],
        [D.path, info(D.size, D.sha256)],
      ]),
      metadataHeads: new Map(),
      served: served({ tarballs: [A.path, C.path] }),
      corrupt: new Set([C.path]),
    });
    expect(
      plan.copies.map(({ path, reason, replacesServed }) => [path, reason, replacesServed]),
    ).toEqual([
      [B.path, "missing", false],
      [A.path, "differs", true],
      [C.path, "corrupt", true],
    ]);
    expect(plan.held.map((held) => held.path)).toEqual([D.path]);
  });

  it("writes only metadata whose bytes changed, product files before indexes", () => {
    const products = [
      file("streams/v1/p-new.json", "product", "2".repeat(64)),
      file("streams/v1/p-old.json", "product"),
    ];
    const index = file("streams/v1/index2.json", "index", "3".repeat(64));
    const plan = planAgentsSync({
      tree: tree({ products, indexes: [index] }),
      tarballHeads: new Map(),
      metadataHeads: new Map([
        ["streams/v1/p-old.json", info(5, "1".repeat(64))],
        ["streams/v1/index2.json", info(5, "1".repeat(64))],
      ]),
      served: served(),
    });
    expect(plan.writes.map((write) => write.path)).toEqual([
      "streams/v1/p-new.json",
      "streams/v1/index2.json",
    ]);
    expect(plan.changesMetadata).toBe(true);
  });

  it("changes nothing when the store already holds and serves the tree", () => {
    const wanted = tree();
    const plan = planAgentsSync({
      tree: wanted,
      tarballHeads: new Map(
        [A, B, C, D].map((tarball) => [tarball.path, info(tarball.size, tarball.sha256)]),
      ),
      metadataHeads: new Map([
        ["streams/v1/p-aaa.json", info(5, "1".repeat(64))],
        ["streams/v1/index2.json", info(5, "1".repeat(64))],
        ["streams/v1/index2.sjson", null],
      ]),
      served: served({
        metadata: ["streams/v1/p-aaa.json", "streams/v1/index2.json"],
        tarballs: [A.path],
      }),
    });
    expect(plan).toMatchObject({
      copies: [],
      writes: [],
      removeNow: [],
      retire: [],
      changesMetadata: false,
    });
  });

  it("removes present stale pointers after the switch and retires what the new tree no longer names", () => {
    const plan = planAgentsSync({
      tree: tree(),
      tarballHeads: new Map(),
      metadataHeads: new Map([
        ["streams/v1/index2.sjson", info(1, "x")],
        ["streams/v1/index.json", null],
      ]),
      served: served({
        metadata: ["streams/v1/index2.sjson", "streams/v1/old.sjson", "streams/v1/index2.json"],
        tarballs: [A.path, "agent/0/gone.tgz"],
      }),
    });
    expect(plan.removeNow).toEqual(["streams/v1/index2.sjson"]);
    expect(plan.retire).toEqual(["agent/0/gone.tgz", "streams/v1/old.sjson"]);
  });
});
