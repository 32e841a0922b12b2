import { describe, expect, it } from "vitest";
import { acceptsGzip, representationFor } from "./representation.ts";

describe("representationFor", () => {
  it("caches tarballs forever and never compresses them", () => {
    expect(representationFor("juju/tools/agent/3.6.1/juju-3.6.1-ubuntu-amd64.tgz")).toEqual({
      contentType: "application/gzip",
      cacheControl: "public, max-age=31536000, immutable",
      compressible: false,
    });
    expect(representationFor("tools/juju-2.9.0-focal-amd64.tar.gz").compressible).toBe(false);
  });

  it("labels metadata with a short cache policy and compresses JSON", () => {
    expect(representationFor("a/index2.json")).toMatchObject({
      contentType: "application/json",
      cacheControl: "public, max-age=60, must-revalidate",
      compressible: true,
    });
    expect(representationFor("a/index2.sjson")).toMatchObject({
      contentType: "text/plain; charset=utf-8",
      compressible: true,
    });
    expect(representationFor("keys/images.asc")).toMatchObject({
      contentType: "text/plain; charset=utf-8",
      compressible: false,
    });
  });

  it("serves anything else as octet-stream with the short policy", () => {
    for (const key of ["README", "a/b.html", "a.b/c"]) {
      expect(representationFor(key), key).toEqual({
        contentType: "application/octet-stream",
        cacheControl: "public, max-age=60, must-revalidate",
        compressible: false,
      });
    }
  });
});

describe("acceptsGzip", () => {
  it.each([
    ["gzip", true],
    ["gzip, deflate, br", true],
    ["br;q=1.0, GZIP;q=0.5", true],
    ["x-gzip", true],
    ["*", true],
    ["deflate, *;q=0.1", true],
    [null, false],
    ["", false],
    ["identity", false],
    ["br, deflate", false],
    ["gzip;q=0", false],
    ["gzip;q=0, *", false],
    ["*;q=0", false],
  ])("%s → %s", (header, expected) => {
    expect(acceptsGzip(header)).toBe(expected);
  });
});
