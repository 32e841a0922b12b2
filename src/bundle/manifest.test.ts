import { describe, expect, it } from "vitest";
import { BundleError } from "./errors.ts";
import { BUNDLE_FORMAT, type BundleManifest, parseManifest, renderManifest } from "./manifest.ts";

const SHA = "a".repeat(64);

function manifest(overrides: Partial<BundleManifest> = {}): BundleManifest {
  return {
    format: BUNDLE_FORMAT,
    createdAt: "2026-11-23T10:00:00.000Z",
    jobs: { agents: { generation: 2, generations: { "1": "2026-11-22T10:00:00.000Z" } } },
    objects: [
      { key: "juju/tools/agent/3.6.1/a.tgz", size: 10, sha256: SHA, included: true },
      { key: "juju/tools/streams/v1/index2.json", size: 3, sha256: SHA, included: true },
    ],
    ...overrides,
  };
}

function parseOf(value: unknown): () => BundleManifest {
  return () => parseManifest(JSON.stringify(value));
}

describe("parseManifest", () => {
  it("reads back what renderManifest wrote", () => {
    const original = manifest({
      since: { job: "agents", generation: 1, publishedAt: "2026-11-22T10:00:00.000Z" },
    });
    const text = renderManifest(original);
    expect(text.endsWith("}\n")).toBe(true);
    expect(parseManifest(text)).toEqual(original);
  });

  it("refuses another format", () => {
    expect(parseOf({ ...manifest(), format: "streamgate-bundle:2" })).toThrow(/format/);
  });

  it("refuses fields it does not know", () => {
    expect(parseOf({ ...manifest(), extra: true })).toThrow(BundleError);
  });

  it("refuses an included object without its sha256", () => {
    const objects = [{ key: "juju/tools/a.tgz", size: 1, included: true }];
    expect(parseOf({ ...manifest(), objects })).toThrow(/needs its sha256/);
  });

  it("accepts a left-out object without a sha256", () => {
    const objects = [{ key: "juju/tools/a.tgz", size: 1, included: false }];
    expect(parseManifest(JSON.stringify({ ...manifest(), objects })).objects).toEqual(objects);
  });

  it.each([
    ["../evil"],
    ["/etc/passwd"],
    [".streamgate/state/agents.json"],
    ["juju/../../evil"],
    ["juju\\tools"],
  ])("refuses the unsafe key %s", (key) => {
    const objects = [{ key, size: 1, sha256: SHA, included: true }];
    expect(parseOf({ ...manifest(), objects })).toThrow(/unsafe key/);
  });

  it("refuses a key listed twice", () => {
    const object = { key: "juju/tools/a.tgz", size: 1, sha256: SHA, included: true };
    expect(parseOf({ ...manifest(), objects: [object, object] })).toThrow(/twice/);
  });

  it("refuses text that is not JSON", () => {
    expect(() => parseManifest("not json")).toThrow(/not JSON/);
  });
});
