import { describe, expect, it } from "vitest";
import { parseIndex, parseJsonDocument, parseProducts } from "../core/index.ts";
import { buildExactTree, buildFilteredTree } from "./build-tree.ts";
import { SyncRefusal } from "./errors.ts";
import { sha256Hex } from "./sha256.ts";
import { agentProducts, tarballPath, upstreamTreeOf } from "./test-support.ts";

const RELEASED = "com.ubuntu.juju:released:agents";
const DEVEL = "com.ubuntu.juju:devel:agents";
const LEGACY = "com.ubuntu.juju:released:tools";

const decode = (bytes: Uint8Array) => parseJsonDocument(new TextDecoder().decode(bytes));

async function refusal(promise: Promise<unknown>): Promise<SyncRefusal> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SyncRefusal);
  return error as SyncRefusal;
}

async function released() {
  return agentProducts(RELEASED, [
    { version: "3.5.5" },
    { version: "3.6.11" },
    { version: "3.6.12" },
    { version: "3.6.12", arch: "arm64" },
    { version: "3.6.12", release: "centos" },
  ]);
}

describe("buildFilteredTree", () => {
  it("lists exactly the selected items in a content-addressed product file named after upstream's", async () => {
    const tree = await buildFilteredTree(upstreamTreeOf([await released()]), {
      streams: ["released"],
      minVersion: "3.6",
      arches: ["amd64"],
      oses: ["ubuntu"],
    });
    expect([...tree.tarballs.keys()].sort()).toEqual([
      tarballPath("3.6.11", "amd64"),
      tarballPath("3.6.12", "amd64"),
    ]);
    const [product] = tree.products;
    expect(product?.path).toBe(
      `streams/v1/com.ubuntu.juju-released-agents-${(await sha256Hex(product?.bytes ?? new Uint8Array())).slice(0, 12)}.json`,
    );
    const items = parseProducts(decode(product?.bytes ?? new Uint8Array())).products;
    expect(Object.keys(items)).toEqual(["com.ubuntu.juju:ubuntu:amd64"]);
    const index = parseIndex(decode(tree.indexes[0]?.bytes ?? new Uint8Array()));
    expect(tree.indexes.map((file) => file.path)).toEqual(["streams/v1/index2.json"]);
    expect(index.index[RELEASED]).toMatchObject({
      path: product?.path,
      products: ["com.ubuntu.juju:ubuntu:amd64"],
      datatype: "content-download",
    });
    expect(tree.removeAfterSwitch).toEqual([
      "streams/v1/index2.sjson",
      "streams/v1/index.sjson",
      "streams/v1/index.json",
    ]);
    expect(tree.selection.versions).toEqual(["3.6.11", "3.6.12"]);
  });

  it("renders byte-identically from the same input, and under another name for another selection", async () => {
    const upstream = upstreamTreeOf([await released()]);
    const filter = { streams: ["released"], arches: ["amd64"] };
    const a = await buildFilteredTree(upstream, filter);
    const b = await buildFilteredTree(upstream, filter);
    const c = await buildFilteredTree(upstream, { ...filter, minVersion: "3.6" });
    expect(a.products[0]?.sha256).toBe(b.products[0]?.sha256);
    expect(a.indexes[0]?.sha256).toBe(b.indexes[0]?.sha256);
    expect(c.products[0]?.path).not.toBe(a.products[0]?.path);
  });

  it("stores a tarball named by an ubuntu and a centos item once", async () => {
    const tree = await buildFilteredTree(upstreamTreeOf([await released()]), {
      oses: ["ubuntu", "centos"],
      arches: ["amd64"],
      minVersion: "3.6",
      keep: 1,
    });
    expect([...tree.tarballs.keys()]).toEqual([tarballPath("3.6.12", "amd64")]);
    expect(tree.tarballs.get(tarballPath("3.6.12", "amd64"))?.items.sort()).toEqual([
      `${RELEASED} com.ubuntu.juju:centos:amd64 20261123 3.6.12-centos-amd64`,
      `${RELEASED} com.ubuntu.juju:ubuntu:amd64 20261123 3.6.12-ubuntu-amd64`,
    ]);
  });

  it("writes the legacy index.json, listing only released tools, when they are mirrored", async () => {
    const tools = await agentProducts(LEGACY, [
      {
        version: "2.8.11",
        release: "focal",
        item: { path: "releases/juju-2.8.11-focal-amd64.tgz" },
      },
    ]);
    const tree = await buildFilteredTree(upstreamTreeOf([await released(), tools]), {
      legacyTools: true,
      minVersion: "2.8",
    });
    expect(tree.indexes.map((file) => file.path)).toEqual([
      "streams/v1/index2.json",
      "streams/v1/index.json",
    ]);
    const legacy = parseIndex(decode(tree.indexes[1]?.bytes ?? new Uint8Array()));
    expect(Object.keys(legacy.index)).toEqual([LEGACY]);
    const index2 = parseIndex(decode(tree.indexes[0]?.bytes ?? new Uint8Array()));
    expect(Object.keys(index2.index).sort()).toEqual([RELEASED, LEGACY].sort());
    expect(tree.removeAfterSwitch).not.toContain("streams/v1/index.json");
  });

  it("refuses items that disagree about one tarball, naming it", async () => {
    const doc = await released();
    const centos =
      doc.products["com.ubuntu.juju:centos:amd64"]?.versions["20261123"]?.items[
        "3.6.12-centos-amd64"
      ];
    if (centos) centos.sha256 = "a".repeat(64);
    const error = await refusal(
      buildFilteredTree(upstreamTreeOf([doc]), { oses: ["ubuntu", "centos"] }),
    );
    expect(error.failure).toMatchObject({ kind: "metadata", path: tarballPath("3.6.12", "amd64") });
    expect(error.message).toContain("disagree");
  });

  it("refuses an item path under streams/, where it would overwrite metadata", async () => {
    const doc = await agentProducts(RELEASED, [
      { version: "3.6.12", item: { path: "streams/v1/index2.json" } },
    ]);
    const error = await refusal(buildFilteredTree(upstreamTreeOf([doc]), {}));
    expect(error.message).toContain('unsafe path "streams/v1/index2.json"');
    expect(error.failure.items).toEqual([
      `${RELEASED} com.ubuntu.juju:ubuntu:amd64 20261123 3.6.12-ubuntu-amd64`,
    ]);
  });

  it("refuses an item Juju cannot parse, naming the file and the item", async () => {
    const doc = await agentProducts(RELEASED, [{ version: "3.6.12" }, { version: "3.6.x" }]);
    const error = await refusal(buildFilteredTree(upstreamTreeOf([doc]), {}));
    expect(error.message).toContain("streams/v1/com.ubuntu.juju-released-agents.sjson");
    expect(error.message).toContain("3.6.x-ubuntu-amd64");
  });

  it("refuses to publish an empty selection", async () => {
    const error = await refusal(
      buildFilteredTree(upstreamTreeOf([await released()]), { minVersion: "4.0" }),
    );
    expect(error.failure.kind).toBe("selection");
    expect(error.message).toContain("min-version 4.0");
  });
});

describe("buildExactTree", () => {
  it("keeps upstream's bytes, names every tarball of the file, and removes unmirrored product files", async () => {
    const devel = await agentProducts(DEVEL, [{ version: "3.7-beta1" }]);
    const upstream = upstreamTreeOf([await released(), devel], {
      contentIds: [RELEASED],
      twins: true,
    });
    const tree = await buildExactTree(upstream);
    const product = upstream.products.get(RELEASED);
    expect(tree.products.map((file) => file.path)).toEqual([
      "streams/v1/com.ubuntu.juju-released-agents.sjson",
      "streams/v1/com.ubuntu.juju-released-agents.json",
    ]);
    expect(tree.products[0]?.bytes).toBe(product?.raw);
    expect(tree.indexes[0]?.bytes).toBe(upstream.index.raw);
    expect([...tree.tarballs.keys()].sort()).toEqual([
      tarballPath("3.5.5", "amd64"),
      tarballPath("3.6.11", "amd64"),
      tarballPath("3.6.12", "amd64"),
      tarballPath("3.6.12", "arm64"),
    ]);
    expect(tree.removeAfterSwitch).toEqual(
      expect.arrayContaining([
        "streams/v1/com.ubuntu.juju-devel-agents.sjson",
        "streams/v1/com.ubuntu.juju-devel-agents.json",
        "streams/v1/index.sjson",
      ]),
    );
    expect(tree.removeAfterSwitch).not.toContain(
      "streams/v1/com.ubuntu.juju-released-agents.sjson",
    );
  });

  it("refuses a file with any item Juju cannot use, whatever its arch", async () => {
    const doc = await agentProducts(RELEASED, [
      { version: "3.6.12" },
      { version: "3.6.12", arch: "s390x", item: { sha256: "not hex" } },
    ]);
    const error = await refusal(buildExactTree(upstreamTreeOf([doc])));
    expect(error.message).toContain("3.6.12-ubuntu-s390x: sha256 is not 64 lowercase hex digits");
  });
});
