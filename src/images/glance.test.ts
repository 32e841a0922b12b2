import { describe, expect, it } from "vitest";
import { glanceRoot, resolveNextLink } from "./glance.ts";
import { identityV3Url } from "./keystone.ts";

describe("glanceRoot", () => {
  it("strips trailing slashes and a version suffix from a catalog URL", () => {
    expect(glanceRoot("http://glance:9292")).toBe("http://glance:9292");
    expect(glanceRoot("http://glance:9292/")).toBe("http://glance:9292");
    expect(glanceRoot("http://glance:9292/v2/")).toBe("http://glance:9292");
    expect(glanceRoot("https://cloud.example.com/image")).toBe("https://cloud.example.com/image");
  });
});

describe("resolveNextLink", () => {
  it("joins Glance's root-relative next link to the catalog root", () => {
    expect(resolveNextLink("http://glance:9292", "/v2/images?marker=a")).toBe(
      "http://glance:9292/v2/images?marker=a",
    );
    expect(resolveNextLink("https://h/image", "/v2/images?marker=a")).toBe(
      "https://h/image/v2/images?marker=a",
    );
  });

  it("does not repeat a path prefix the link already carries", () => {
    expect(resolveNextLink("https://h/image", "/image/v2/images?marker=a")).toBe(
      "https://h/image/v2/images?marker=a",
    );
  });

  it("takes absolute links as they are and resolves bare relative ones", () => {
    expect(resolveNextLink("https://h/image", "https://other/v2/images?marker=a")).toBe(
      "https://other/v2/images?marker=a",
    );
    expect(resolveNextLink("https://h/image", "images?marker=a")).toBe(
      "https://h/image/v2/images?marker=a",
    );
  });
});

describe("identityV3Url", () => {
  it("adds /v3 to a bare Keystone URL and keeps one that has it", () => {
    expect(identityV3Url("https://ks:5000")).toBe("https://ks:5000/v3");
    expect(identityV3Url("https://ks:5000/v3/")).toBe("https://ks:5000/v3");
    expect(identityV3Url("https://ks/identity")).toBe("https://ks/identity/v3");
  });

  it("refuses a v2.0 URL", () => {
    expect(() => identityV3Url("https://ks:5000/v2.0")).toThrow(/Identity v3 only/);
  });
});
