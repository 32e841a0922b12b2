import { describe, expect, it } from "vitest";
import { compileOverrides, type ImageOverride } from "./image-overrides.ts";
import type { SourceImage } from "./image-source.ts";
import { mapImage } from "./map-image.ts";

const ENDPOINT = "https://keystone.example.com:5000/v3";

function image(id: string, properties: Record<string, unknown>, name?: string): SourceImage {
  return { id, properties, ...(name === undefined ? {} : { name }) };
}

function map(source: SourceImage, overrides: ImageOverride[] = [], region = "RegionOne") {
  return mapImage(source, { region, endpoint: ENDPOINT, overrides: compileOverrides(overrides) });
}

function mapped(source: SourceImage, overrides: ImageOverride[] = [], region = "RegionOne") {
  const result = map(source, overrides, region);
  if (!result.ok) throw new Error(`expected a mapped image, got: ${result.unmapped.reason}`);
  return result.image;
}

function reason(source: SourceImage, overrides: ImageOverride[] = []) {
  const result = map(source, overrides);
  if (result.ok) throw new Error(`expected an unmapped image, got ${result.image.productId}`);
  return result.unmapped.reason;
}

const UBUNTU = { os_distro: "ubuntu", os_version: "24.04", architecture: "x86_64" };

describe("mapImage", () => {
  it("maps Glance properties to a released product id with region and endpoint", () => {
    const result = mapped({
      ...image("img-1", UBUNTU, "noble"),
      createdAt: "2026-01-02T00:00:00Z",
    });
    expect(result).toEqual({
      region: "RegionOne",
      endpoint: ENDPOINT,
      id: "img-1",
      name: "noble",
      createdAt: "2026-01-02T00:00:00Z",
      stream: "released",
      version: "24.04",
      arch: "amd64",
      productId: "com.ubuntu.cloud:server:24.04:amd64",
    });
  });

  it("reads codenames, kernel arch names and os_distro in any case", () => {
    const result = mapped(
      image("img-2", { os_distro: "Ubuntu", os_version: "jammy", architecture: "aarch64" }),
    );
    expect(result.productId).toBe("com.ubuntu.cloud:server:22.04:arm64");
  });

  it("falls back to hw_architecture when architecture is absent", () => {
    const result = mapped(
      image("img-3", { os_distro: "ubuntu", os_version: "24.04", hw_architecture: "ppc64le" }),
    );
    expect(result.arch).toBe("ppc64el");
  });

  it("leaves virt and root_store empty even when Glance has hypervisor hints", () => {
    const result = mapped(
      image("img-4", { ...UBUNTU, hypervisor_type: "qemu", hw_vm_mode: "hvm" }),
    );
    expect(result.virt).toBeUndefined();
    expect(result.root_store).toBeUndefined();
  });

  it("reports every missing or unusable property instead of guessing", () => {
    expect(reason(image("a", { os_version: "24.04", architecture: "x86_64" }))).toMatch(
      /no os_distro property/,
    );
    expect(reason(image("b", { ...UBUNTU, os_distro: "centos" }))).toBe(
      'os_distro is "centos", not ubuntu',
    );
    expect(reason(image("c", { os_distro: "ubuntu", architecture: "x86_64" }))).toMatch(
      /no os_version property/,
    );
    expect(reason(image("d", { ...UBUNTU, os_version: "trixie" }))).toBe(
      'os_version "trixie" is not an Ubuntu version or codename',
    );
    expect(reason(image("e", { os_distro: "ubuntu", os_version: "24.04" }))).toMatch(
      /no architecture property/,
    );
    expect(reason(image("f", { ...UBUNTU, architecture: "i686" }))).toMatch(
      /^architecture "i686" is not one Juju deploys/,
    );
  });

  it("names the image and region of an unmapped image", () => {
    const result = map(image("g", {}, "windows-2022"), [], "RegionTwo");
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.unmapped).toMatchObject({ id: "g", name: "windows-2022", region: "RegionTwo" });
    }
  });

  describe("with the override table", () => {
    const bare = image("11111111-aaaa", {}, "golden-noble-2026-01");

    it("maps an image without properties by id", () => {
      const result = mapped(bare, [
        { match: { id: "11111111-aaaa" }, version: "noble", arch: "amd64" },
      ]);
      expect(result.productId).toBe("com.ubuntu.cloud:server:24.04:amd64");
    });

    it("matches by name regex, and sets virt, root_store and stream", () => {
      const result = mapped(bare, [
        {
          match: { name: "^golden-noble-" },
          version: "24.04",
          arch: "x86_64",
          virt: "kvm",
          rootStore: "ebs",
          stream: "daily",
        },
      ]);
      expect(result).toMatchObject({
        virt: "kvm",
        root_store: "ebs",
        stream: "daily",
        productId: "com.ubuntu.cloud.daily:server:24.04:amd64",
      });
    });

    it("applies only the first row that matches", () => {
      const result = mapped(bare, [
        { match: { name: "golden" }, version: "22.04", arch: "amd64" },
        { match: { id: "11111111-aaaa" }, version: "24.04", arch: "amd64" },
      ]);
      expect(result.version).toBe("22.04");
    });

    it("limits a row to its region", () => {
      const rows: ImageOverride[] = [
        { match: { id: "11111111-aaaa", region: "RegionTwo" }, version: "24.04", arch: "amd64" },
      ];
      expect(map(bare, rows, "RegionOne").ok).toBe(false);
      expect(map(bare, rows, "RegionTwo").ok).toBe(true);
    });

    it("wins over the image's own properties", () => {
      const result = mapped(image("img-5", UBUNTU), [{ match: { id: "img-5" }, arch: "arm64" }]);
      expect(result.productId).toBe("com.ubuntu.cloud:server:24.04:arm64");
    });

    it("adds virt to an image that maps by its properties", () => {
      const result = mapped(image("img-6", UBUNTU), [{ match: { id: "img-6" }, virt: "kvm" }]);
      expect(result.virt).toBe("kvm");
      expect(result.version).toBe("24.04");
    });

    it("does not map images it does not match", () => {
      expect(reason(image("other", {}), [{ match: { id: "img-6" }, virt: "kvm" }])).toMatch(
        /no os_distro/,
      );
    });
  });

  it("takes what a source declares over overrides and properties", () => {
    const result = mapped(
      {
        id: "s-1",
        properties: { os_distro: "centos" },
        declared: { version: "22.04", arch: "arm64", virt: "kvm", stream: "daily" },
      },
      [{ match: { id: "s-1" }, version: "24.04" }],
    );
    expect(result).toMatchObject({
      version: "22.04",
      arch: "arm64",
      virt: "kvm",
      productId: "com.ubuntu.cloud.daily:server:22.04:arm64",
    });
  });
});
