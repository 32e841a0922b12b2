import { describe, expect, it } from "vitest";
import { ParseError } from "./parse-error.ts";
import { renderIndex, renderJson, renderProducts } from "./render.ts";
import type { Index, Products } from "./types.ts";

describe("renderJson", () => {
  it("writes sorted keys, one-space indent, ', '-less separators and a trailing newline", () => {
    expect(renderJson({ b: [1, "x", { d: null, c: true }], a: {}, e: [] })).toBe(
      '{\n "a": {},\n "b": [\n  1,\n  "x",\n  {\n   "c": true,\n   "d": null\n  }\n ],\n "e": []\n}\n',
    );
  });

  it("sorts integer-like keys as strings, where JS objects put them first", () => {
    const versions = { "20100224": 1, "20100114.1": 2, "9": 3 };
    expect(Object.keys(versions)[0]).toBe("9");
    expect(renderJson(versions)).toBe('{\n "20100114.1": 2,\n "20100224": 1,\n "9": 3\n}\n');
  });

  it("sorts keys by code point, like Python", () => {
    // UTF-16 order would put the astral U+1F600 (a surrogate pair) before U+FFFF.
    expect(renderJson({ "\u{1f600}": 1, "\uffff": 2, a: 3 })).toBe(
      '{\n "a": 3,\n "\\uffff": 2,\n "\\ud83d\\ude00": 1\n}\n',
    );
  });

  it("escapes like Python's ensure_ascii", () => {
    expect(renderJson(['é"\\/\n\t\u0001\u007f', "\ud800"])).toBe(
      '[\n "\\u00e9\\"\\\\/\\n\\t\\u0001\\u007f",\n "\\ud800"\n]\n',
    );
  });

  it("leaves out undefined properties", () => {
    expect(renderJson({ a: undefined, b: 1 })).toBe('{\n "b": 1\n}\n');
    expect(renderJson({ a: undefined })).toBe("{}\n");
  });

  it("renders scalars at the top level", () => {
    expect(renderJson("x")).toBe('"x"\n');
    expect(renderJson(-12)).toBe("-12\n");
  });

  it.each([
    ["NaN", Number.NaN, "cannot render the number NaN"],
    ["undefined in an array", [undefined], "cannot render a value of type undefined"],
    ["a bigint", { a: 1n }, "cannot render a value of type bigint"],
    ["a Date", { a: new Date(0) }, "cannot render a non-plain object"],
    ["a function", { a: () => 1 }, "cannot render a value of type function"],
  ])("refuses %s", (_label, value, message) => {
    expect(() => renderJson(value)).toThrow(new TypeError(`[streamgate] [core] ${message}`));
  });

  it("refuses runaway nesting with an error instead of overflowing the stack", () => {
    let value: unknown[] = [];
    for (let i = 0; i < 10_000; i++) value = [value];
    expect(() => renderJson(value)).toThrow("nested deeper than 512 levels");
  });

  it("re-renders its own output byte for byte", () => {
    const text = renderJson({ z: { "2": [1, { y: "ü" }], "10": "x" }, a: -0.5 });
    expect(renderJson(JSON.parse(text))).toBe(text);
  });
});

describe("renderIndex and renderProducts", () => {
  it("render valid documents", () => {
    const index: Index = {
      format: "index:1.0",
      updated: "u",
      index: { c: { datatype: "image-ids", path: "streams/v1/c.json", products: ["p"] } },
    };
    expect(renderIndex(index)).toBe(
      '{\n "format": "index:1.0",\n "index": {\n  "c": {\n   "datatype": "image-ids",\n   "path": "streams/v1/c.json",\n   "products": [\n    "p"\n   ]\n  }\n },\n "updated": "u"\n}\n',
    );
    const products: Products = { format: "products:1.0", products: {} };
    expect(renderProducts(products)).toBe('{\n "format": "products:1.0",\n "products": {}\n}\n');
  });

  it("refuse to render what the parsers would refuse", () => {
    const index = {
      format: "index:1.0",
      index: { c: { datatype: "image-ids", path: "/abs.json", products: [] } },
    } as Index;
    expect(() => renderIndex(index)).toThrow(ParseError);
    const products = {
      format: "products:1.0",
      products: { p: { versions: { v: { items: { i: { size: 1.5 } } } } } },
    } as Products;
    expect(() => renderProducts(products)).toThrow('products["p"].versions["v"].items["i"].size');
  });
});
