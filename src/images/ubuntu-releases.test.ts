import { describe, expect, it } from "vitest";
import { parseUbuntuVersion, UBUNTU_RELEASES } from "./ubuntu-releases.ts";

describe("parseUbuntuVersion", () => {
  it("keeps a version as Juju writes it in product ids", () => {
    expect(parseUbuntuVersion("24.04")).toBe("24.04");
    expect(parseUbuntuVersion("20.10")).toBe("20.10");
  });

  it("maps codenames, with or without their adjective, in any case", () => {
    expect(parseUbuntuVersion("noble")).toBe("24.04");
    expect(parseUbuntuVersion("Jammy")).toBe("22.04");
    expect(parseUbuntuVersion("Noble Numbat")).toBe("24.04");
    expect(parseUbuntuVersion("focal")).toBe("20.04");
    expect(parseUbuntuVersion("dapper")).toBe("6.06");
  });

  it("reads point releases and LTS suffixes as their release", () => {
    expect(parseUbuntuVersion("24.04.1")).toBe("24.04");
    expect(parseUbuntuVersion("22.04.5 LTS")).toBe("22.04");
    expect(parseUbuntuVersion(" 24.04 ")).toBe("24.04");
  });

  it("accepts a well-formed version newer than its table", () => {
    expect(parseUbuntuVersion("28.04")).toBe("28.04");
  });

  it("never guesses an unknown codename or a malformed version", () => {
    expect(parseUbuntuVersion("bookworm")).toBeUndefined();
    expect(parseUbuntuVersion("24")).toBeUndefined();
    expect(parseUbuntuVersion("24.4")).toBeUndefined();
    expect(parseUbuntuVersion("")).toBeUndefined();
    expect(parseUbuntuVersion("constructor")).toBeUndefined();
  });

  it("has one version per codename, each in Juju's MAJOR.MINOR form", () => {
    const versions = Object.values(UBUNTU_RELEASES);
    expect(new Set(versions).size).toBe(versions.length);
    for (const version of versions) expect(version).toMatch(/^\d{1,2}\.\d{2}$/);
  });
});
