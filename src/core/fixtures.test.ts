import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { flattenProducts } from "./flatten.ts";
import { findJsonSyntaxError } from "./json-syntax.ts";
import { parseIndex } from "./parse-index.ts";
import { parseJsonDocument } from "./parse-json.ts";
import { parseProducts } from "./parse-products.ts";
import { renderIndex, renderJson, renderProducts } from "./render.ts";

/** The signed JSON of a clearsigned fixture (armor stripped; the signature is not checked here). */
function readClearsignedBody(name: string): string {
  const text = readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), "utf8");
  const header = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n";
  const footer = "-----BEGIN PGP SIGNATURE-----";
  expect(text.startsWith(header)).toBe(true);
  return text.slice(header.length, text.indexOf(footer));
}

const INDEX_BODY = readClearsignedBody("cloud-images-releases-index.sjson");
const PRODUCTS_BODY = readClearsignedBody("cloud-images-com.ubuntu.cloud-released-download.sjson");

describe("the real cloud-images index", () => {
  const index = parseIndex(parseJsonDocument(INDEX_BODY));

  it("parses, with every entry's path, products and clouds", () => {
    const entries = Object.values(index.index);
    expect(entries).toHaveLength(11);
    expect(index.index["com.ubuntu.cloud:released:download"]?.datatype).toBe("image-downloads");
    const joyent = index.index["com.ubuntu.cloud:released:joyent"];
    expect(joyent?.path).toBe("streams/v1/com.ubuntu.cloud:released:joyent.sjson");
    expect(joyent?.cloudname).toBe("joyent");
    expect(joyent?.clouds?.[0]).toEqual({
      region: "eu-ams-1",
      endpoint: "https://eu-ams-1.api.joyentcloud.com",
    });
    expect(entries.filter((entry) => entry.datatype === "image-ids")).toHaveLength(10);
  });

  it("re-renders to the same data (upstream wrote it unsorted, so not the same bytes)", () => {
    const rendered = renderIndex(index);
    expect(rendered).not.toBe(INDEX_BODY);
    expect(JSON.parse(rendered)).toEqual(JSON.parse(INDEX_BODY));
    expect(renderIndex(parseIndex(parseJsonDocument(rendered)))).toBe(rendered);
  });
});

describe("the real 2.5 MB cloud-images product file", () => {
  const products = parseProducts(parseJsonDocument(PRODUCTS_BODY));

  it("parses and flattens every item, inheriting release, version and arch from products", () => {
    const flat = flattenProducts(products);
    expect(flat).toHaveLength(7008);
    const lucid = flat.find(
      (item) =>
        item.productId === "com.ubuntu.cloud:server:10.04:amd64" &&
        item.versionKey === "20100114.1",
    );
    expect(lucid?.fields).toMatchObject({
      release: "lucid",
      version: "10.04",
      arch: "amd64",
      ftype: "manifest",
      size: 10397,
      path: "server/releases/lucid/alpha-2/lucid-server-uec-amd64.manifest",
    });
    expect(lucid?.item.release).toBeUndefined();
  });

  it("re-renders byte for byte", () => {
    expect(renderProducts(products)).toBe(PRODUCTS_BODY);
  });

  it("is valid JSON for the syntax scanner too", () => {
    expect(findJsonSyntaxError(PRODUCTS_BODY)).toBeUndefined();
  });

  it("fails as a whole when a single size deep inside becomes a string", () => {
    const broken = PRODUCTS_BODY.replace('"size": 10397', '"size": "10397"');
    expect(() => parseProducts(parseJsonDocument(broken))).toThrow(
      'products["com.ubuntu.cloud:server:10.04:amd64"].versions["20100114.1"].items["manifest"].size: expected integer, got "10397"',
    );
    expect(renderJson(JSON.parse(broken))).toBe(broken);
  });
});
