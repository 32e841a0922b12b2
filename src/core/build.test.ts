import { describe, expect, it } from "vitest";
import { buildIndex, buildProducts, formatUpdated, nestItems } from "./build.ts";
import { flattenProducts } from "./flatten.ts";
import { ParseError } from "./parse-error.ts";
import { parseProducts } from "./parse-products.ts";
import { renderProducts } from "./render.ts";

describe("formatUpdated", () => {
  it("writes RFC 1123 with a numeric zone, as simplestreams does", () => {
    expect(formatUpdated(new Date(Date.UTC(2018, 6, 16, 14, 14, 22)))).toBe(
      "Mon, 16 Jul 2018 14:14:22 +0000",
    );
    expect(formatUpdated(new Date(Date.UTC(2024, 0, 1, 0, 0, 5)))).toBe(
      "Mon, 01 Jan 2024 00:00:05 +0000",
    );
  });
});

describe("buildIndex", () => {
  it("wraps entries in an index:1.0 document", () => {
    const entry = { datatype: "content-download", path: "streams/v1/a.json", products: ["p"] };
    expect(buildIndex({ "com.ubuntu.juju:released:agents": entry }, "u")).toEqual({
      format: "index:1.0",
      index: { "com.ubuntu.juju:released:agents": entry },
      updated: "u",
    });
  });

  it("refuses entries the parser would refuse", () => {
    expect(() =>
      buildIndex({ c: { datatype: "d", path: "../a.json", products: [] } }, "u"),
    ).toThrow(ParseError);
  });
});

describe("buildProducts", () => {
  it("writes content_id, format, products, updated and an optional datatype", () => {
    const products = { p: { versions: { v: { items: { i: { size: 1 } } } } } };
    const built = buildProducts({ contentId: "cid", updated: "u", products });
    expect(renderProducts(built)).toBe(
      '{\n "content_id": "cid",\n "format": "products:1.0",\n "products": {\n  "p": {\n   "versions": {\n    "v": {\n     "items": {\n      "i": {\n       "size": 1\n      }\n     }\n    }\n   }\n  }\n },\n "updated": "u"\n}\n',
    );
    expect(
      buildProducts({ contentId: "cid", updated: "u", products, datatype: "image-ids" }).datatype,
    ).toBe("image-ids");
  });

  it("refuses products the parser would refuse", () => {
    const products = { p: { versions: { v: { items: { i: { path: "/x" } } } } } };
    expect(() => buildProducts({ contentId: "c", updated: "u", products })).toThrow(
      'products["p"].versions["v"].items["i"].path',
    );
  });
});

describe("nestItems", () => {
  it("nests flat items back into products with their resolved fields", () => {
    const doc = parseProducts({
      format: "products:1.0",
      content_id: "cid",
      products: {
        p: {
          arch: "amd64",
          versions: { v1: { items: { a: { size: 1 } } }, v2: { items: { b: { size: 2 } } } },
        },
        __proto__x: { versions: {} },
      },
    });
    expect(nestItems(flattenProducts(doc))).toEqual({
      p: {
        versions: {
          v1: { items: { a: { size: 1, arch: "amd64" } } },
          v2: { items: { b: { size: 2, arch: "amd64" } } },
        },
      },
    });
  });

  it("keeps ids such as __proto__ as ordinary keys", () => {
    const doc = parseProducts(
      JSON.parse(
        '{"format":"products:1.0","products":{"__proto__":{"versions":{"v":{"items":{"i":{"id":"x"}}}}}}}',
      ),
    );
    const nested = nestItems(flattenProducts(doc));
    expect(Object.keys(nested)).toEqual(["__proto__"]);
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(Object.getOwnPropertyDescriptor(nested, "__proto__")?.value).toEqual({
      versions: { v: { items: { i: { id: "x" } } } },
    });
  });
});
