import { describe, expect, it } from "vitest";
import { checkSource, type SourceInventory } from "./check-source.ts";
import { createFindings } from "./findings.ts";
import { planAgentLookups, planImageLookups } from "./plan-lookups.ts";
import { addAgentTree, addImageTree, createFakeMirror, ENDPOINT, ORIGIN } from "./test-support.ts";

async function inventory(
  area: "agents" | "images",
  build: (fake: ReturnType<typeof createFakeMirror>) => Promise<void>,
): Promise<SourceInventory> {
  const fake = createFakeMirror();
  await build(fake);
  return checkSource({
    area,
    baseUrl: `${ORIGIN}/${area === "agents" ? "juju/tools" : "images"}`,
    keys: undefined,
    keyLabel: "key",
    fetch: fake.fetch,
    cache: new Map(),
    findings: createFindings(),
  });
}

describe("planAgentLookups", () => {
  it("plans one lookup per advertised stream, series, arch and OS, oldest series first", async () => {
    const agents = await inventory("agents", (fake) =>
      addAgentTree(fake, {
        streams: { released: ["3.10.1", "3.9.2", "3.9.1"], devel: ["4.0-beta1"] },
        arches: ["arm64"],
      }),
    );
    expect(
      planAgentLookups(agents).map((l) => `${l.stream} ${l.jujuVersion} ${l.os}/${l.arch}`),
    ).toEqual([
      "devel 4.0 ubuntu/arm64",
      "released 3.9 ubuntu/arm64",
      "released 3.10 ubuntu/arm64",
    ]);
    expect(planAgentLookups(agents, { stream: "devel", arch: "amd64" })).toEqual([]);
  });

  it("plans a given client on each arch advertised for its series, or on the arch asked for", async () => {
    const agents = await inventory("agents", (fake) => addAgentTree(fake));
    expect(planAgentLookups(agents, { jujuVersion: "3.6.0" })).toEqual([
      { jujuVersion: "3.6.0", arch: "amd64", os: "ubuntu", stream: undefined },
      { jujuVersion: "3.6.0", arch: "arm64", os: "ubuntu", stream: undefined },
    ]);
    expect(
      planAgentLookups(agents, { jujuVersion: "3.6", arch: "s390x", stream: "proposed" }),
    ).toEqual([{ jujuVersion: "3.6", arch: "s390x", os: "ubuntu", stream: "proposed" }]);
    // A series the mirror lacks is still looked up, so that the report says so.
    expect(planAgentLookups(agents, { jujuVersion: "3.5.1" })).toEqual([
      { jujuVersion: "3.5.1", arch: "amd64", os: "ubuntu", stream: undefined },
    ]);
  });
});

describe("planImageLookups", () => {
  it("plans every product that has items for each cloud the index serves", async () => {
    const images = await inventory("images", (fake) => addImageTree(fake));
    expect(
      planImageLookups(images).map((l) => `${l.region} ${l.version} ${l.arch} ${l.stream}`),
    ).toEqual([
      "RegionOne 22.04 arm64 released",
      "RegionOne 24.04 amd64 released",
      "RegionTwo 24.04 amd64 released",
    ]);
  });

  it("narrows to a cloud, a base and an arch, keeping the cloud as the operator wrote it", async () => {
    const images = await inventory("images", (fake) => addImageTree(fake));
    const cloud = { region: "region one", endpoint: `${ENDPOINT}/` };
    expect(planImageLookups(images, { cloud, version: "24.04" })).toEqual([
      {
        region: "region one",
        endpoint: `${ENDPOINT}/`,
        version: "24.04",
        arch: "amd64",
        stream: "released",
      },
    ]);
    expect(
      planImageLookups(images, { cloud: { region: "RegionOne", endpoint: "https://x.test" } }),
    ).toEqual([]);
    expect(planImageLookups(images, { arch: "arm64" }).map((l) => l.region)).toEqual(["RegionOne"]);
  });

  it("takes the regions from the items of an entry without clouds", async () => {
    const images = await inventory("images", async (fake) => {
      await addImageTree(fake);
      await fake.editJson("images/streams/v1/index.json", (document) => {
        const index = document.index as Record<string, Record<string, unknown>>;
        delete (index["com.ubuntu.cloud:custom"] as Record<string, unknown>).clouds;
      });
    });
    expect(planImageLookups(images).map((l) => `${l.region} ${l.endpoint}`)).toEqual([
      `RegionOne ${ENDPOINT}`,
      `RegionOne ${ENDPOINT}`,
      `RegionTwo ${ENDPOINT}`,
    ]);
  });
});
