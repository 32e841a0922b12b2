import { describe, expect, it } from "vitest";
import {
  compareJujuVersions,
  formatJujuVersion,
  JujuVersionError,
  majorMinor,
  parseJujuVersion,
  parseMajorMinor,
  tryParseJujuVersion,
} from "./juju-version.ts";

describe("parseJujuVersion", () => {
  it.each([
    ["3.6.12", { major: 3, minor: 6, tag: "", patch: 12, build: 0 }],
    ["3.7-beta1", { major: 3, minor: 7, tag: "beta", patch: 1, build: 0 }],
    ["2.9.51.1", { major: 2, minor: 9, tag: "", patch: 51, build: 1 }],
    ["3.7-rc2.3", { major: 3, minor: 7, tag: "rc", patch: 2, build: 3 }],
    ["03.006.010", { major: 3, minor: 6, tag: "", patch: 10, build: 0 }],
  ])("parses %j", (input, expected) => {
    expect(parseJujuVersion(input)).toEqual(expected);
  });

  it.each([
    "3.6",
    "3",
    "v3.6.1",
    "3.6.1-ubuntu-amd64",
    "3.6.1.2.3",
    "3.7-Beta1",
    "3.7-beta",
    "3.7.beta1",
    "1234567890.1.1",
    " 3.6.1",
    "3.6.1\n",
    "",
  ])("refuses %j, which Juju cannot parse", (input) => {
    expect(() => parseJujuVersion(input)).toThrow(JujuVersionError);
    expect(tryParseJujuVersion(input)).toBeUndefined();
  });

  it("names the input and the accepted forms in the error", () => {
    expect(() => parseJujuVersion("3.6")).toThrow(
      '[streamgate] [core] invalid Juju version "3.6": expected major.minor.patch, major.minor-tagPatch or major.minor.patch.build (e.g. 3.6.12, 3.7-beta1, 2.9.51.1)',
    );
  });
});

describe("compareJujuVersions", () => {
  it.each([
    ["3.6.12", "3.6.9", 1],
    ["3.7-beta1", "3.7.0", -1],
    ["3.7-beta9", "3.7.0", -1],
    ["3.7-beta1", "3.6.99", 1],
    ["2.9.51.1", "2.9.51", 1],
    ["2.9.51.0", "2.9.51", 0],
    ["3.7-beta2", "3.7-beta10", -1],
    ["3.7-beta9", "3.7-rc1", -1],
    ["3.7-alpha2", "3.7-beta1", -1],
    ["4.0.0", "3.99.99", 1],
    ["3.6.1", "3.6.1", 0],
  ] as const)("compares %s with %s as %i", (a, b, expected) => {
    expect(compareJujuVersions(a, b)).toBe(expected);
    expect(compareJujuVersions(b, a)).toBe(expected === 0 ? 0 : -expected);
  });

  it("orders a list the way Juju does", () => {
    const versions = [
      "3.6.9",
      "3.7.0",
      "2.9.51.1",
      "3.6.12",
      "3.7-beta1",
      "3.7-rc1",
      "2.9.51",
      "3.6.10",
    ];
    expect(versions.sort(compareJujuVersions)).toEqual([
      "2.9.51",
      "2.9.51.1",
      "3.6.9",
      "3.6.10",
      "3.6.12",
      "3.7-beta1",
      "3.7-rc1",
      "3.7.0",
    ]);
  });

  it("throws for an unparseable string", () => {
    expect(() => compareJujuVersions("3.6", "3.6.1")).toThrow(JujuVersionError);
  });
});

describe("formatJujuVersion", () => {
  it.each(["3.6.12", "3.7-beta1", "2.9.51.1", "3.7-rc2.3"])("round-trips %j", (input) => {
    expect(formatJujuVersion(parseJujuVersion(input))).toBe(input);
  });

  it("spells versions as Juju does: no leading zeros, no zero build", () => {
    expect(formatJujuVersion(parseJujuVersion("03.06.010.0"))).toBe("3.6.10");
  });
});

describe("majorMinor and parseMajorMinor", () => {
  it("gives the major.minor series of a version", () => {
    expect(majorMinor("3.6.12")).toBe("3.6");
    expect(majorMinor(parseJujuVersion("3.7-beta1"))).toBe("3.7");
  });

  it("parses X.Y bounds and refuses anything else", () => {
    expect(parseMajorMinor("3.6")).toEqual({ major: 3, minor: 6 });
    for (const input of ["3", "3.6.1", "latest", "3.x"]) {
      expect(() => parseMajorMinor(input)).toThrow(JujuVersionError);
    }
  });
});
