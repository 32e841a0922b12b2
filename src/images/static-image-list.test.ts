import { describe, expect, it } from "vitest";
import { ImagesInputError } from "./images-errors.ts";
import { createStaticImageSource, parseStaticImageList } from "./static-image-list.ts";

const VALID = `
cloud: mycloud
endpoint: https://keystone.example.com:5000/v3
regions:
  RegionOne:
    images:
      - {id: 0b5d3f1e-1111, version: "24.04", arch: amd64, virt: kvm, stream: released}
      - {id: 0b5d3f1e-2222, version: jammy, arch: aarch64}
  RegionTwo:
    endpoint: https://other:5000/v3
    images:
      - {id: 0b5d3f1e-3333, version: "24.04", arch: x86_64, stream: daily, root_store: ebs}
`;

function problems(text: string): readonly string[] {
  try {
    parseStaticImageList(text, "images.yaml");
  } catch (error) {
    if (error instanceof ImagesInputError) return error.problems;
    throw error;
  }
  throw new Error("expected the list to be refused");
}

describe("parseStaticImageList", () => {
  it("reads a YAML list and normalises versions and arches", () => {
    const list = parseStaticImageList(VALID, "images.yaml");
    expect(list.cloud).toBe("mycloud");
    expect(list.regions.RegionOne?.images).toEqual([
      { id: "0b5d3f1e-1111", version: "24.04", arch: "amd64", virt: "kvm", stream: "released" },
      { id: "0b5d3f1e-2222", version: "22.04", arch: "arm64", stream: "released" },
    ]);
    expect(list.regions.RegionTwo?.endpoint).toBe("https://other:5000/v3");
  });

  it("reads JSON", () => {
    const list = parseStaticImageList(
      JSON.stringify({
        regions: { R: { images: [{ id: "x", version: "noble", arch: "amd64" }] } },
      }),
      "images.json",
    );
    expect(list.regions.R?.images[0]?.version).toBe("24.04");
  });

  it("names the key path of every problem", () => {
    const text = `
cloud: mycloud
endpoint: keystone.example.com
colour: blue
regions:
  RegionOne:
    images:
      - {id: a, version: "24.04", arch: i686}
      - {id: b, version: trixie, arch: amd64, flavour: x}
      - {id: a, version: "22.04", arch: amd64}
  "Region Two":
    images:
      - {version: "24.04", arch: amd64, stream: Daily}
`;
    expect(problems(text)).toEqual([
      "endpoint: expected an http:// or https:// URL (the Keystone URL of Juju's cloud)",
      'regions.RegionOne.images[0].arch: "i686" is not an architecture Juju deploys (amd64, arm64, ppc64el, s390x, riscv64)',
      'regions.RegionOne.images[1].version: "trixie" is not an Ubuntu version (24.04) or codename (noble)',
      "regions.RegionOne.images[1].flavour: unknown key",
      'regions["Region Two"].images[0].id: Invalid input: expected string, received undefined',
      'regions["Region Two"].images[0].stream: expected a lowercase stream name such as released or daily',
      "colour: unknown key",
    ]);
  });

  it("explains that YAML read an unquoted version as a number", () => {
    const [problem] = problems("regions: {R: {images: [{id: a, version: 20.10, arch: amd64}]}}");
    expect(problem).toMatch(
      /^regions\.R\.images\[0\]\.version: expected a string, got the number 20\.1: quote it/,
    );
  });

  it("refuses an id listed twice in one region", () => {
    expect(
      problems(
        "regions: {R: {images: [{id: a, version: '24.04', arch: amd64}, {id: a, version: '22.04', arch: amd64}]}}",
      ),
    ).toEqual(["regions.R.images[1].id: a is listed twice in this region (also images[0])"]);
  });

  it("refuses a list without regions, and a file that is not YAML", () => {
    expect(problems("cloud: x\nregions: {}\n")).toEqual(["regions: list at least one region"]);
    expect(problems("")).toEqual(["regions: Invalid input: expected record, received undefined"]);
    expect(problems("regions: [unclosed")[0]).toMatch(/Flow sequence|flow collection|Missing/i);
  });

  it("says which file it refused", () => {
    expect(() => parseStaticImageList("regions: {}", "lists/images.yaml")).toThrow(
      /invalid static image list lists\/images\.yaml/,
    );
  });
});

describe("createStaticImageSource", () => {
  it("lists every region with its declared images and endpoints", async () => {
    const listing = await createStaticImageSource(
      parseStaticImageList(VALID, "images.yaml"),
      "images.yaml",
    ).list();
    expect(listing.cloud).toBe("mycloud");
    expect(listing.endpoint).toBe("https://keystone.example.com:5000/v3");
    expect(listing.regions.map((region) => [region.region, region.endpoint])).toEqual([
      ["RegionOne", undefined],
      ["RegionTwo", "https://other:5000/v3"],
    ]);
    const [two] = listing.regions.slice(1);
    expect(two?.ok && two.images).toEqual([
      {
        id: "0b5d3f1e-3333",
        properties: {},
        declared: { version: "24.04", arch: "amd64", stream: "daily", root_store: "ebs" },
      },
    ]);
  });
});
