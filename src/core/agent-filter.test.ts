import { describe, expect, it } from "vitest";
import { type AgentFilter, selectAgentItems } from "./agent-filter.ts";
import { type FlatItem, flattenProducts } from "./flatten.ts";
import { parseProducts } from "./parse-products.ts";
import type { Item, Product } from "./types.ts";

const SHA = "0123456789abcdef".repeat(4);

function agentItem(version: string, release: string, arch: string, extra: Item = {}): Item {
  return {
    release,
    version,
    arch,
    size: 1000,
    path: `agent/${version}/juju-${version}-${release}-${arch}.tgz`,
    ftype: "tar.gz",
    sha256: SHA,
    ...extra,
  };
}

/** A flattened agent product file: every version for every release × arch given. */
function agentStream(
  stream: string,
  versions: readonly string[],
  { releases = ["ubuntu"], arches = ["amd64", "arm64"] } = {},
): FlatItem[] {
  const products: Record<string, Product> = {};
  for (const release of releases) {
    for (const arch of arches) {
      const items: Record<string, Item> = {};
      for (const version of versions)
        items[`${version}-${release}-${arch}`] = agentItem(version, release, arch);
      products[`com.ubuntu.juju:${release}:${arch}`] = { versions: { "20240101": { items } } };
    }
  }
  return flattenProducts(
    parseProducts({
      content_id: `com.ubuntu.juju:${stream}:agents`,
      format: "products:1.0",
      products,
    }),
  );
}

function versionsOf(items: readonly { fields: Item; stream?: string }[]): string[] {
  return [...new Set(items.map((item) => `${item.stream ?? "?"}/${item.fields.version}`))].sort();
}

// Unordered on purpose: selection must not depend on document order.
const RELEASED = agentStream("released", ["3.6.10", "3.5.4", "3.6.12", "3.5.5", "3.6.9"]);
const PROPOSED = agentStream("proposed", ["3.6.13", "3.7-beta1"]);

function select(filter: AgentFilter, items: readonly FlatItem[] = [...RELEASED, ...PROPOSED]) {
  return selectAgentItems(items, filter);
}

describe("selectAgentItems", () => {
  it("keeps every valid agent item with an empty filter, resolving what Juju reads", () => {
    const selection = select({});
    expect(selection.items).toHaveLength(RELEASED.length + PROPOSED.length);
    expect(selection.invalid).toEqual([]);
    const first = selection.items[0];
    expect(first).toMatchObject({
      contentId: "com.ubuntu.juju:released:agents",
      stream: "released",
      legacy: false,
      release: "ubuntu",
      os: "ubuntu",
      arch: "amd64",
      version: { major: 3, minor: 6, tag: "", patch: 10, build: 0 },
      path: "agent/3.6.10/juju-3.6.10-ubuntu-amd64.tgz",
      size: 1000,
      sha256: SHA,
      productId: "com.ubuntu.juju:ubuntu:amd64",
    });
  });

  it("selects by stream", () => {
    expect(versionsOf(select({ streams: ["proposed"] }).items)).toEqual([
      "proposed/3.6.13",
      "proposed/3.7-beta1",
    ]);
  });

  it("selects by arch and OS", () => {
    const items = agentStream("released", ["3.6.12"], {
      releases: ["ubuntu", "centos"],
      arches: ["amd64", "s390x"],
    });
    const selection = selectAgentItems(items, { arches: ["s390x"], oses: ["centos"] });
    expect(selection.items.map((item) => item.itemKey)).toEqual(["3.6.12-centos-s390x"]);
  });

  it("keeps an inclusive major.minor range", () => {
    expect(
      versionsOf(select({ streams: ["released"], minVersion: "3.6", maxVersion: "3.6" }).items),
    ).toEqual(["released/3.6.10", "released/3.6.12", "released/3.6.9"]);
    expect(versionsOf(select({ streams: ["released"], maxVersion: "3.5" }).items)).toEqual([
      "released/3.5.4",
      "released/3.5.5",
    ]);
  });

  it("resolves `latest` to the newest major.minor of each stream", () => {
    const selection = select({ minVersion: "latest" });
    expect(selection.latest).toEqual({
      "com.ubuntu.juju:released:agents": "3.6",
      "com.ubuntu.juju:proposed:agents": "3.7",
    });
    expect(versionsOf(selection.items)).toEqual([
      "proposed/3.7-beta1",
      "released/3.6.10",
      "released/3.6.12",
      "released/3.6.9",
    ]);
  });

  it("resolves `latest` below `maxVersion` when both are set", () => {
    const selection = select({ streams: ["released"], minVersion: "latest", maxVersion: "3.5" });
    expect(selection.latest).toEqual({ "com.ubuntu.juju:released:agents": "3.5" });
    expect(versionsOf(selection.items)).toEqual(["released/3.5.4", "released/3.5.5"]);
  });

  it("keeps the newest N patches of each major.minor by Juju ordering, not string ordering", () => {
    expect(versionsOf(select({ streams: ["released"], keep: 2 }).items)).toEqual([
      "released/3.5.4",
      "released/3.5.5",
      "released/3.6.10",
      "released/3.6.12",
    ]);
    expect(
      versionsOf(select({ streams: ["released"], keep: 1, minVersion: "latest" }).items),
    ).toEqual(["released/3.6.12"]);
  });

  it("counts versions, not items, for `keep`", () => {
    const selection = select({ streams: ["released"], keep: 1, minVersion: "3.6" });
    expect(selection.items.map((item) => item.itemKey)).toEqual([
      "3.6.12-ubuntu-amd64",
      "3.6.12-ubuntu-arm64",
    ]);
  });

  it("always keeps pins inside the chosen streams, arches and OSes, and reports missing ones", () => {
    const selection = select({
      streams: ["released"],
      arches: ["amd64"],
      minVersion: "latest",
      keep: 1,
      pins: ["3.5.4", "3.4.0", "3.6.13"],
    });
    expect(selection.items.map((item) => item.itemKey)).toEqual([
      "3.5.4-ubuntu-amd64",
      "3.6.12-ubuntu-amd64",
    ]);
    expect(selection.missingPins).toEqual(["3.4.0", "3.6.13"]);
  });

  it("matches a pin with a zero build against the plain version", () => {
    const selection = select({ streams: ["released"], maxVersion: "3.4", pins: ["3.5.4.0"] });
    expect(versionsOf(selection.items)).toEqual(["released/3.5.4"]);
    expect(selection.missingPins).toEqual([]);
  });

  it("reports in-scope items Juju could not use, and never selects them", () => {
    const items = flattenProducts(
      parseProducts({
        content_id: "com.ubuntu.juju:released:agents",
        format: "products:1.0",
        products: {
          "com.ubuntu.juju:ubuntu:amd64": {
            versions: {
              "20240101": {
                items: {
                  good: agentItem("3.6.12", "ubuntu", "amd64"),
                  badVersion: agentItem("3.6", "ubuntu", "amd64"),
                  upperSha: agentItem("3.6.11", "ubuntu", "amd64", { sha256: SHA.toUpperCase() }),
                  noPath: { ...agentItem("3.6.10", "ubuntu", "amd64"), path: undefined },
                  noSize: { ...agentItem("3.6.9", "ubuntu", "amd64"), size: undefined },
                  noArch: { ...agentItem("3.6.8", "ubuntu", "amd64"), arch: undefined },
                  otherArch: agentItem("x", "ubuntu", "arm64"),
                },
              },
            },
          },
        },
      }),
    );
    const selection = selectAgentItems(items, { arches: ["amd64"] });
    expect(selection.items.map((item) => item.itemKey)).toEqual(["good"]);
    expect(selection.invalid.map(({ item, reason }) => [item.itemKey, reason])).toEqual([
      ["badVersion", 'version "3.6" is not one Juju can parse'],
      ["upperSha", "sha256 is not 64 lowercase hex digits"],
      ["noPath", "missing path"],
      ["noSize", "missing size"],
      ["noArch", "missing arch"],
    ]);
  });

  it("uses fields inherited from the product and version collection", () => {
    const items = flattenProducts(
      parseProducts({
        content_id: "com.ubuntu.juju:released:agents",
        format: "products:1.0",
        products: {
          "com.ubuntu.juju:ubuntu:arm64": {
            arch: "arm64",
            release: "ubuntu",
            versions: {
              "20240101": {
                version: "3.6.12",
                items: { i: { size: 1, path: "agent/x.tgz", sha256: SHA, ftype: "tar.gz" } },
              },
            },
          },
        },
      }),
    );
    const [item] = selectAgentItems(items, { arches: ["arm64"], minVersion: "3.6" }).items;
    expect(item).toMatchObject({
      arch: "arm64",
      release: "ubuntu",
      version: { major: 3, minor: 6, patch: 12 },
    });
  });

  it("leaves legacy tools out unless asked, and maps Ubuntu series to the ubuntu OS", () => {
    const legacy = flattenProducts(
      parseProducts({
        content_id: "com.ubuntu.juju:released:tools",
        format: "products:1.0",
        products: {
          "com.ubuntu.juju:20.04:amd64": {
            versions: { "20200101": { items: { a: agentItem("2.8.10", "focal", "amd64") } } },
          },
          "com.ubuntu.juju:centos7:amd64": {
            versions: { "20200101": { items: { b: agentItem("2.8.10", "centos7", "amd64") } } },
          },
        },
      }),
    );
    expect(selectAgentItems(legacy, {}).items).toEqual([]);
    const ubuntu = selectAgentItems(legacy, { legacyTools: true, oses: ["ubuntu"] }).items;
    expect(ubuntu.map((item) => [item.itemKey, item.os, item.release, item.legacy])).toEqual([
      ["a", "ubuntu", "focal", true],
    ]);
    expect(
      selectAgentItems(legacy, { legacyTools: true, oses: ["focal"] }).items.map((i) => i.itemKey),
    ).toEqual(["a"]);
    expect(
      selectAgentItems(legacy, { legacyTools: true, oses: ["centos7"] }).items.map(
        (i) => i.itemKey,
      ),
    ).toEqual(["b"]);
  });

  it("ignores items of other content ids", () => {
    const images = flattenProducts(
      parseProducts({
        content_id: "com.ubuntu.cloud:released:aws",
        format: "products:1.0",
        products: { p: { versions: { v: { items: { i: { id: "ami-1", version: "bad" } } } } } },
      }),
    );
    expect(selectAgentItems(images, {})).toEqual({
      items: [],
      invalid: [],
      missingPins: [],
      latest: {},
    });
  });

  it.each([
    [{ keep: 0 }, "Expected `keep` to be an integer from 1 and up, got 0"],
    [{ keep: 1.5 }, "Expected `keep` to be an integer from 1 and up, got 1.5"],
    [{ minVersion: "3" }, 'Expected `minVersion` to be X.Y (e.g. 3.6), got "3"'],
    [{ maxVersion: "latest" }, 'Expected `maxVersion` to be X.Y (e.g. 3.6), got "latest"'],
    [
      { minVersion: "3.7", maxVersion: "3.6" },
      "Expected `minVersion` (3.7) to be at most `maxVersion` (3.6)",
    ],
    [{ pins: ["3.6"] }, 'Expected `pins` to hold Juju versions (e.g. 3.6.12), got "3.6"'],
  ] as [AgentFilter, string][])("refuses the malformed filter %j", (filter, message) => {
    expect(() => select(filter)).toThrow(new TypeError(`[streamgate] [core] ${message}`));
  });
});
