import { describe, expect, it } from "vitest";
import { createBearerCheck } from "./bearer-token.ts";

describe("createBearerCheck", () => {
  const isAuthorized = createBearerCheck("s3cret-token");

  it("accepts the exact token in a Bearer header, scheme in any case", async () => {
    expect(await isAuthorized("Bearer s3cret-token")).toBe(true);
    expect(await isAuthorized("bearer s3cret-token")).toBe(true);
  });

  it.each([
    [null],
    [""],
    ["Bearer"],
    ["Bearer "],
    ["Bearer s3cret-tokem"],
    ["Bearer s3cret-token2"],
    ["Bearer s3cret"],
    ["Basic s3cret-token"],
    ["s3cret-token"],
    ["Bearer s3cret-token extra"],
  ])("refuses %s", async (header) => {
    expect(await isAuthorized(header)).toBe(false);
  });

  it("refuses an empty presented token even when it hashes like a missing one", async () => {
    const emptyConfigured = createBearerCheck("");
    expect(await emptyConfigured(null)).toBe(false);
  });
});
