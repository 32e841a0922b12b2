import { describe, expect, it } from "vitest";
import { classifyKey, compareForBundle } from "./classify-key.ts";

describe("classifyKey", () => {
  it("treats index files under streams/v1 as the index", () => {
    for (const key of [
      "juju/tools/streams/v1/index2.sjson",
      "juju/tools/streams/v1/index.json",
      "images/streams/v1/index.sjson",
      "images/streams/v1/index2.json",
    ]) {
      expect(classifyKey(key), key).toBe("index");
    }
  });

  it("treats other JSON under streams/ and everything under keys/ as metadata", () => {
    for (const key of [
      "juju/tools/streams/v1/com.ubuntu.juju-released-agents.sjson",
      "images/streams/v1/com.ubuntu.cloud-released-imagemetadata.json",
      "juju/tools/streams/v1/mirrors.json",
      "keys/images.asc",
    ]) {
      expect(classifyKey(key), key).toBe("metadata");
    }
  });

  it("treats tarballs and anything else as payload, even under a streams folder", () => {
    for (const key of [
      "juju/tools/agent/3.6.1/juju-3.6.1-ubuntu-amd64.tgz",
      "juju/tools/released/juju-2.9.0-ubuntu-amd64.tgz",
      "juju/tools/streams/v1/odd.tgz",
      "streams/v1/index.json/not-an-index.tgz",
      "index.json",
    ]) {
      expect(classifyKey(key), key).toBe("object");
    }
  });

  it("does not take an index name outside streams/v1 for the index", () => {
    expect(classifyKey("juju/tools/streams/v2/index.json")).toBe("metadata");
    expect(classifyKey("juju/tools/streams/v1/sub/index.json")).toBe("metadata");
  });
});

describe("compareForBundle", () => {
  it("orders payload, then metadata, then index files, by key within a class", () => {
    const keys = [
      "juju/tools/streams/v1/index2.json",
      "keys/images.asc",
      "juju/tools/agent/3.6.2/juju-3.6.2-ubuntu-amd64.tgz",
      "images/streams/v1/index.json",
      "juju/tools/streams/v1/com.ubuntu.juju-released-agents.json",
      "juju/tools/agent/3.6.1/juju-3.6.1-ubuntu-amd64.tgz",
    ];
    expect([...keys].sort(compareForBundle)).toEqual([
      "juju/tools/agent/3.6.1/juju-3.6.1-ubuntu-amd64.tgz",
      "juju/tools/agent/3.6.2/juju-3.6.2-ubuntu-amd64.tgz",
      "juju/tools/streams/v1/com.ubuntu.juju-released-agents.json",
      "keys/images.asc",
      "images/streams/v1/index.json",
      "juju/tools/streams/v1/index2.json",
    ]);
  });
});
