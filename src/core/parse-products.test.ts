import { describe, expect, it } from "vitest";
import { ParseError } from "./parse-error.ts";
import { parseJsonDocument } from "./parse-json.ts";
import { parseProducts } from "./parse-products.ts";

const PRODUCT = "com.ubuntu.juju:ubuntu:amd64";
const ITEM_PATH = `products["${PRODUCT}"].versions["20240101"].items["item-key"]`;

type JsonRecord = Record<string, unknown>;

/** A valid agent product file with one item, and handles on its nested objects. */
function agentParts(item: JsonRecord = {}) {
  const items: JsonRecord = {
    "item-key": {
      release: "ubuntu",
      version: "3.6.12",
      arch: "amd64",
      size: 123,
      path: "agent/3.6.12/juju-3.6.12-ubuntu-amd64.tgz",
      ftype: "tar.gz",
      sha256: "a".repeat(64),
      ...item,
    },
  };
  const version: JsonRecord = { items };
  const product: JsonRecord = { arch: "amd64", versions: { "20240101": version } };
  const doc: JsonRecord = {
    content_id: "com.ubuntu.juju:released:agents",
    format: "products:1.0",
    updated: "Mon, 01 Jan 2024 00:00:00 +0000",
    products: { [PRODUCT]: product },
  };
  return { doc, product, version, items };
}

function agentDoc(item: JsonRecord = {}): JsonRecord {
  return agentParts(item).doc;
}

function parseError(run: () => unknown): ParseError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error("expected a ParseError");
}

describe("parseProducts", () => {
  it("returns the same object, typed, when the document is valid", () => {
    const doc = agentDoc();
    const parsed = parseProducts(doc);
    expect(parsed).toBe(doc);
    expect(parsed.products[PRODUCT]?.versions["20240101"]?.items["item-key"]?.size).toBe(123);
  });

  it("keeps unknown fields at every level", () => {
    const doc = agentDoc({ md5: "b".repeat(32), combined_sha256: "c" });
    (doc as { license: string }).license = "x";
    const parsed = parseProducts(doc);
    expect(parsed.license).toBe("x");
    expect(parsed.products[PRODUCT]?.versions["20240101"]?.items["item-key"]?.combined_sha256).toBe(
      "c",
    );
  });

  it("fails the whole file when one size is a string, naming its JSON path", () => {
    const error = parseError(() => parseProducts(agentDoc({ size: "123" })));
    expect(error.message).toBe(
      `[streamgate] [core] invalid products:1.0 document: ${ITEM_PATH}.size: expected integer, got "123"`,
    );
    expect(error.path).toBe(`${ITEM_PATH}.size`);
    expect(error.reason).toBe('expected integer, got "123"');
  });

  it("refuses fractional, negative and inexact sizes", () => {
    expect(parseError(() => parseProducts(agentDoc({ size: 1.5 }))).message).toContain(
      `${ITEM_PATH}.size: expected integer, got number`,
    );
    expect(parseError(() => parseProducts(agentDoc({ size: -1 }))).message).toContain(
      `${ITEM_PATH}.size: expected integer >= 0, got -1`,
    );
    expect(parseError(() => parseProducts(agentDoc({ size: 2 ** 60 }))).message).toContain(
      `${ITEM_PATH}.size: integer`,
    );
  });

  it("refuses a size written as 1.0 or 1e3, which Go refuses for an int64", () => {
    const text = JSON.stringify(agentDoc()).replace('"size":123', '"size": 123.0');
    expect(parseError(() => parseProducts(parseJsonDocument(text))).path).toBe(`${ITEM_PATH}.size`);
    const exponent = JSON.stringify(agentDoc()).replace('"size":123', '"size":1e3');
    expect(parseError(() => parseProducts(parseJsonDocument(exponent))).reason).toBe(
      "expected integer, got a number with a fraction or exponent",
    );
  });

  it("accepts a fractional `size` outside items, where Juju does not decode it", () => {
    const doc = agentDoc();
    const text = JSON.stringify({ ...doc, size: 1.5 });
    expect(parseProducts(parseJsonDocument(text)).size).toBe(1.5);
  });

  it("refuses a non-string where Juju decodes a string", () => {
    expect(parseError(() => parseProducts(agentDoc({ sha256: 5 }))).path).toBe(
      `${ITEM_PATH}.sha256`,
    );
    expect(parseError(() => parseProducts(agentDoc({ version: null }))).message).toContain(
      `${ITEM_PATH}.version: expected string, got null`,
    );
    const { doc, product } = agentParts();
    product.version = 20.04;
    expect(parseError(() => parseProducts(doc)).message).toContain(
      `products["${PRODUCT}"].version: expected string, got number`,
    );
  });

  it("checks the fields a version collection decodes, and only those", () => {
    const { doc, version } = agentParts();
    version.root_store = 5;
    expect(() => parseProducts(doc)).not.toThrow();
    version.arch = ["amd64"];
    expect(parseError(() => parseProducts(doc)).message).toContain(
      `products["${PRODUCT}"].versions["20240101"].arch: expected string, got array`,
    );
  });

  it("checks top-level string fields", () => {
    const doc = { ...agentDoc(), content_id: 1 };
    expect(parseError(() => parseProducts(doc)).message).toContain(
      "content_id: expected string, got number",
    );
  });

  it("refuses a wrong or missing format", () => {
    expect(parseError(() => parseProducts({ ...agentDoc(), format: "index:1.0" })).message).toBe(
      '[streamgate] [core] invalid products:1.0 document: format: expected "products:1.0", got "index:1.0"',
    );
    const { format: _format, ...withoutFormat } = agentDoc();
    expect(parseError(() => parseProducts(withoutFormat)).reason).toBe(
      'expected "products:1.0", got undefined',
    );
  });

  it("refuses a document that is not an object", () => {
    expect(parseError(() => parseProducts([])).message).toContain(
      "document: $: expected object, got array",
    );
  });

  it("requires versions and items to be objects", () => {
    const { doc, product, version } = agentParts();
    version.items = null;
    expect(parseError(() => parseProducts(doc)).message).toContain(
      `products["${PRODUCT}"].versions["20240101"].items: expected object, got null`,
    );
    delete product.versions;
    expect(parseError(() => parseProducts(doc)).message).toContain(
      `products["${PRODUCT}"].versions: missing, expected object`,
    );
  });

  it("refuses an item that is not an object", () => {
    const { doc, items } = agentParts();
    items["item-key"] = "x";
    expect(parseError(() => parseProducts(doc)).message).toContain(
      `${ITEM_PATH}: expected object, got "x"`,
    );
  });

  it("refuses item paths that would escape the base URL", () => {
    expect(parseError(() => parseProducts(agentDoc({ path: "/etc/passwd" }))).message).toContain(
      `${ITEM_PATH}.path: must be relative (must not start with "/")`,
    );
    expect(parseError(() => parseProducts(agentDoc({ path: "agent/../../x.tgz" }))).reason).toBe(
      'must not contain ".." segments',
    );
    expect(parseError(() => parseProducts(agentDoc({ path: "agent/%2E%2E/x.tgz" }))).path).toBe(
      `${ITEM_PATH}.path`,
    );
  });

  it("refuses keys that differ from a decoded field only in case, as Go would read them", () => {
    expect(parseError(() => parseProducts(agentDoc({ Size: "123" }))).message).toContain(
      `${ITEM_PATH}.Size: differs from "size" only in case; Juju would read it as "size"`,
    );
    // Go folds U+017F (long s) to "s" and U+212A (Kelvin sign) to "k".
    expect(parseError(() => parseProducts(agentDoc({ "\u017fha256": "x" }))).path).toBe(
      `${ITEM_PATH}["\u017fha256"]`,
    );
    const doc = agentDoc();
    (doc as Record<string, unknown>).Products = {};
    expect(parseError(() => parseProducts(doc)).path).toBe("Products");
  });

  it("validates _aliases as field → value → attribute → string", () => {
    const doc = { ...agentDoc(), _aliases: { crsn: { "us-east-1": { region: 1 } } } };
    expect(parseError(() => parseProducts(doc)).message).toContain(
      '_aliases["crsn"]["us-east-1"]["region"]: expected string, got number',
    );
    expect(parseError(() => parseProducts({ ...agentDoc(), _aliases: { crsn: [] } })).path).toBe(
      '_aliases["crsn"]',
    );
    const valid = { ...agentDoc(), _aliases: { crsn: { "us-east-1": { region: "us-east-1" } } } };
    expect(parseProducts(valid)._aliases?.crsn?.["us-east-1"]?.region).toBe("us-east-1");
  });

  it("quotes map keys in paths with JSON escaping", () => {
    const doc = agentDoc();
    const products = doc.products as Record<string, unknown>;
    products['odd "id"'] = { versions: { v: { items: { i: { size: "1" } } } } };
    expect(parseError(() => parseProducts(doc)).path).toBe(
      'products["odd \\"id\\""].versions["v"].items["i"].size',
    );
  });
});
