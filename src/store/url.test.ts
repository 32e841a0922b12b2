import { describe, expect, it } from "vitest";
import { InvalidStoreUrlError } from "./errors.ts";
import { DEFAULT_STORE_URL, parseStoreUrl } from "./url.ts";

describe("parseStoreUrl", () => {
  it.each([
    ["file:./data", "./data"],
    ["file:data", "data"],
    ["file:/srv/mirror", "/srv/mirror"],
    ["file:///srv/mirror", "/srv/mirror"],
    ["file://localhost/srv/mirror", "/srv/mirror"],
    ["file:///srv/my%20mirror", "/srv/my mirror"],
    ["file:/srv/kept%20as%20written", "/srv/kept%20as%20written"],
    ["./data", "./data"],
    ["../mirror", "../mirror"],
    [".", "."],
    ["/srv/x", "/srv/x"],
    ["  ./data\n", "./data"],
  ])("reads %j as the folder %j", (text, path) => {
    expect(parseStoreUrl(text)).toEqual({ kind: "file", path });
  });

  it("reads the default store URL as ./data", () => {
    expect(parseStoreUrl(DEFAULT_STORE_URL)).toEqual({ kind: "file", path: "./data" });
  });

  it.each([
    ["s3://mirror", { bucket: "mirror", prefix: "" }],
    ["s3://mirror/", { bucket: "mirror", prefix: "" }],
    ["s3://mirror/juju", { bucket: "mirror", prefix: "juju/" }],
    ["s3://mirror/juju/", { bucket: "mirror", prefix: "juju/" }],
    ["s3://my.bucket_1/a/b", { bucket: "my.bucket_1", prefix: "a/b/" }],
    ["s3://mirror/with%20space", { bucket: "mirror", prefix: "with space/" }],
  ])("reads %j as a bucket and a prefix", (text, expected) => {
    expect(parseStoreUrl(text)).toEqual({ kind: "s3", ...expected });
  });

  it("reads the s3 query, %-encoded or not", () => {
    expect(
      parseStoreUrl(
        "s3://mirror/tree?endpoint=http%3A%2F%2F127.0.0.1%3A9000&region=us-east-1&forcePathStyle=true",
      ),
    ).toEqual({
      kind: "s3",
      bucket: "mirror",
      prefix: "tree/",
      endpoint: "http://127.0.0.1:9000",
      region: "us-east-1",
      forcePathStyle: true,
    });
    expect(
      parseStoreUrl(
        "s3://mirror?endpoint=https://acc.r2.cloudflarestorage.com&region=auto&forcePathStyle=false",
      ),
    ).toEqual({
      kind: "s3",
      bucket: "mirror",
      prefix: "",
      endpoint: "https://acc.r2.cloudflarestorage.com",
      region: "auto",
      forcePathStyle: false,
    });
  });

  it.each([
    ["", "it is empty"],
    ["   ", "it is empty"],
    ["http://example.com/mirror", "scheme `http:`"],
    ["r2://mirror", "scheme `r2:`"],
    ["S3://mirror", "scheme `S3:`"],
    ["data", "write ./data or file:data"],
    ["file:", "the path is empty"],
    ["file://", "the path is empty"],
    ["file://server/share", "another host (server)"],
    ["file:///srv/x?ro", "no query or fragment"],
    ["file:///srv/%zz", "malformed %-escape"],
    ["s3://", "bucket name is missing"],
    ["s3:///prefix", "bucket name is missing"],
    ["s3://Mirror", "lower case"],
    ["s3://ab", "3 to 63"],
    ["s3://-mirror", "starts and ends"],
    ["s3://my..bucket", "no '..'"],
    ["s3://192.168.1.10", "not an IP address"],
    ["s3://mirror#top", "no fragment"],
    ["s3://mirror/../x", "not a valid key prefix"],
    ["s3://mirror//x", "not a valid key prefix"],
    ["s3://mirror/.streamgate/x", "not a valid key prefix"],
    ["s3://mirror?bucket=x", "unknown query parameter `bucket`"],
    ["s3://mirror?region", "has no value"],
    ["s3://mirror?region=a&region=b", "given twice"],
    ["s3://mirror?region=us east", "`region`"],
    ["s3://mirror?forcePathStyle=yes", "true or false"],
    ["s3://mirror?endpoint=ftp://host", "http:// or https://"],
    ["s3://mirror?endpoint=%E0%A4%A", "malformed %-escape"],
  ])("refuses %j, saying why and what is accepted", (text, reason) => {
    let failure: unknown;
    try {
      parseStoreUrl(text);
    } catch (error) {
      failure = error;
    }
    expect(failure).toBeInstanceOf(InvalidStoreUrlError);
    const message = (failure as Error).message;
    expect(message).toContain(reason);
    expect(message).toContain("file:PATH");
    expect(message).toContain("s3://BUCKET/PREFIX");
  });
});
