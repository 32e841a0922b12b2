import { describe, expect, it } from "vitest";
import { buildSignedIndex, type IndexDocument, isIndexDocument } from "./signed-index.ts";

function sampleIndex(): IndexDocument {
  return {
    index: {
      "com.ubuntu.cloud:custom": {
        updated: "Mon, 01 Jan 2024 00:00:00 +0000",
        datatype: "image-ids",
        path: "streams/v1/com.ubuntu.cloud-released-imagemetadata.json",
        products: ["com.ubuntu.cloud:server:24.04:amd64"],
        format: "products:1.0",
      },
      "com.ubuntu.juju:released:agents": {
        datatype: "content-download",
        path: "streams/v1/com.ubuntu.juju-released-agents.sjson",
        products: [],
        format: "products:1.0",
      },
      "no-path": { datatype: "image-ids" },
    },
    updated: "Mon, 01 Jan 2024 00:00:00 +0000",
    format: "index:1.0",
  };
}

describe("buildSignedIndex", () => {
  it("points .json product paths at their .sjson twins and reports each change", () => {
    const { index, rewrites } = buildSignedIndex(sampleIndex());
    expect(rewrites).toEqual([
      {
        contentId: "com.ubuntu.cloud:custom",
        from: "streams/v1/com.ubuntu.cloud-released-imagemetadata.json",
        to: "streams/v1/com.ubuntu.cloud-released-imagemetadata.sjson",
      },
    ]);
    expect(index.index["com.ubuntu.cloud:custom"]).toMatchObject({
      path: "streams/v1/com.ubuntu.cloud-released-imagemetadata.sjson",
    });
    expect(index.index["com.ubuntu.juju:released:agents"]).toEqual(
      sampleIndex().index["com.ubuntu.juju:released:agents"],
    );
    expect(index.index["no-path"]).toEqual({ datatype: "image-ids" });
  });

  it("leaves the unsigned document untouched and keeps key order", () => {
    const unsigned = sampleIndex();
    const { index } = buildSignedIndex(unsigned);
    expect(unsigned).toEqual(sampleIndex());
    expect(Object.keys(index)).toEqual(["index", "updated", "format"]);
    expect(Object.keys(index.index["com.ubuntu.cloud:custom"] as object)).toEqual([
      "updated",
      "datatype",
      "path",
      "products",
      "format",
    ]);
  });
});

describe("isIndexDocument", () => {
  it("recognises index:1.0 documents only", () => {
    expect(isIndexDocument(sampleIndex())).toBe(true);
    expect(isIndexDocument({ format: "products:1.0", products: {} })).toBe(false);
    expect(isIndexDocument({ format: "index:1.0", index: [] })).toBe(false);
    expect(isIndexDocument({ format: "mirrors:1.0", mirrors: {} })).toBe(false);
    expect(isIndexDocument(null)).toBe(false);
    expect(isIndexDocument("index:1.0")).toBe(false);
  });
});
