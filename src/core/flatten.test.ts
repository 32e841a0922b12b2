import { describe, expect, it } from "vitest";
import { flattenProducts } from "./flatten.ts";
import { parseProducts } from "./parse-products.ts";
import type { Products } from "./types.ts";

function doc(fields: Partial<Products>): Products {
  return parseProducts({ format: "products:1.0", content_id: "cid", ...fields });
}

function onlyItem(products: Products): Record<string, unknown> {
  const flat = flattenProducts(products);
  expect(flat).toHaveLength(1);
  return flat[0]?.fields as Record<string, unknown>;
}

describe("flattenProducts", () => {
  it("lists every item with its product id, version key, item key and content id", () => {
    const products = doc({
      products: {
        p1: { versions: { v1: { items: { a: { id: "1" }, b: { id: "2" } } } } },
        p2: { versions: { v2: { items: { c: { id: "3" } } } } },
      },
    });
    expect(
      flattenProducts(products).map(({ contentId, productId, versionKey, itemKey }) => [
        contentId,
        productId,
        versionKey,
        itemKey,
      ]),
    ).toEqual([
      ["cid", "p1", "v1", "a"],
      ["cid", "p1", "v1", "b"],
      ["cid", "p2", "v2", "c"],
    ]);
  });

  it("inherits only region, endpoint, root_store and virt from the top level", () => {
    const fields = onlyItem(
      doc({
        region: "r",
        endpoint: "e",
        root_store: "ebs",
        virt: "hvm",
        release: "top-release",
        version: "top-version",
        arch: "top-arch",
        products: { p: { versions: { v: { items: { i: {} } } } } },
      } as Partial<Products>),
    );
    expect(fields).toEqual({ region: "r", endpoint: "e", root_store: "ebs", virt: "hvm" });
  });

  it("inherits release, version, arch, region, endpoint, root_store and virt from the product", () => {
    const product = {
      release: "ubuntu",
      version: "3.6.12",
      arch: "amd64",
      region: "r",
      endpoint: "e",
      root_store: "ebs",
      virt: "hvm",
      label: "not inherited",
      versions: { v: { items: { i: { size: 1 } } } },
    };
    expect(onlyItem(doc({ products: { p: product } }))).toEqual({
      release: "ubuntu",
      version: "3.6.12",
      arch: "amd64",
      region: "r",
      endpoint: "e",
      root_store: "ebs",
      virt: "hvm",
      size: 1,
    });
  });

  it("lets a version collection override arch, version, release, region and endpoint but not root_store or virt", () => {
    const fields = onlyItem(
      doc({
        region: "top",
        products: {
          p: {
            arch: "amd64",
            root_store: "product-store",
            virt: "product-virt",
            versions: {
              v: {
                arch: "arm64",
                version: "3.6.1",
                release: "ubuntu",
                region: "version-region",
                endpoint: "version-endpoint",
                root_store: "ignored",
                virt: "ignored",
                items: { i: {} },
              },
            },
          },
        },
      }),
    );
    expect(fields).toEqual({
      arch: "arm64",
      version: "3.6.1",
      release: "ubuntu",
      region: "version-region",
      endpoint: "version-endpoint",
      root_store: "product-store",
      virt: "product-virt",
    });
  });

  it("never takes root_store or virt from a version collection, even when nothing above has them", () => {
    const products = doc({
      products: { p: { versions: { v: { root_store: "ebs", virt: "hvm", items: { i: {} } } } } },
    });
    expect(onlyItem(products)).toEqual({});
  });

  it("keeps an item's own values and fills its blank strings", () => {
    const fields = onlyItem(
      doc({
        products: {
          p: {
            arch: "amd64",
            version: "1",
            versions: { v: { items: { i: { arch: "s390x", version: "" } } } },
          },
        },
      }),
    );
    expect(fields).toEqual({ arch: "s390x", version: "1" });
  });

  it("never inherits numbers", () => {
    const products = doc({
      products: { p: { size: 5, versions: { v: { size: 6, items: { i: {} } } } } },
    });
    expect(onlyItem(products)).toEqual({});
  });

  it("applies aliases before inheritance, overriding the item's own fields", () => {
    const fields = onlyItem(
      doc({
        _aliases: { crsn: { use1: { region: "us-east-1", endpoint: "https://ec2.us-east-1" } } },
        products: {
          p: {
            region: "product-region",
            versions: { v: { items: { i: { crsn: "use1", endpoint: "own" } } } },
          },
        },
      }),
    );
    expect(fields).toEqual({
      crsn: "use1",
      region: "us-east-1",
      endpoint: "https://ec2.us-east-1",
    });
  });

  it("matches aliases against the item's own value, not an inherited one", () => {
    const fields = onlyItem(
      doc({
        _aliases: { region: { r1: { endpoint: "aliased" } } },
        products: { p: { region: "r1", versions: { v: { items: { i: {} } } } } },
      }),
    );
    expect(fields).toEqual({ region: "r1" });
  });

  it('applies an alias for "" to items without the field, as Go reads a missing string as ""', () => {
    const fields = onlyItem(
      doc({
        _aliases: { crsn: { "": { region: "default" } } },
        products: { p: { versions: { v: { items: { i: {} } } } } },
      }),
    );
    expect(fields).toEqual({ region: "default" });
  });

  it("ignores alias fields and attributes that no Juju item type has", () => {
    const fields = onlyItem(
      doc({
        _aliases: {
          label: { x: { region: "from-label" } },
          crsn: { c: { pubname: "p", region: "r" } },
        },
        products: { p: { versions: { v: { items: { i: { label: "x", crsn: "c" } } } } } },
      }),
    );
    expect(fields).toEqual({ label: "x", crsn: "c", region: "r" });
  });

  it("ignores alias values that are only inherited object properties", () => {
    const fields = onlyItem(
      doc({
        _aliases: { crsn: { use1: { region: "r" } } },
        products: { p: { versions: { v: { items: { i: { crsn: "constructor" } } } } } },
      }),
    );
    expect(fields).toEqual({ crsn: "constructor" });
  });

  it("leaves the document untouched and returns the original item beside the copy", () => {
    const products = doc({
      products: { p: { arch: "amd64", versions: { v: { items: { i: { size: 1 } } } } } },
    });
    const [flat] = flattenProducts(products);
    expect(flat?.item).toBe(products.products.p?.versions.v?.items.i);
    expect(flat?.item).toEqual({ size: 1 });
    expect(flat?.fields).toEqual({ size: 1, arch: "amd64" });
  });

  it("reports an undefined content id when the document has none", () => {
    const products = parseProducts({
      format: "products:1.0",
      products: { p: { versions: { v: { items: { i: {} } } } } },
    });
    expect(flattenProducts(products)[0]?.contentId).toBeUndefined();
  });
});
