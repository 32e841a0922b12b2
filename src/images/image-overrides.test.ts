import { describe, expect, it } from "vitest";
import { imageOverrideSchema } from "./image-overrides.ts";

function problems(row: unknown): string[] {
  const result = imageOverrideSchema.safeParse(row);
  return result.success
    ? []
    : result.error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`);
}

describe("imageOverrideSchema", () => {
  it("accepts a row matching by id or by name", () => {
    expect(problems({ match: { id: "abc" }, version: "noble", arch: "x86_64" })).toEqual([]);
    expect(problems({ match: { name: "^golden-" }, virt: "kvm" })).toEqual([]);
  });

  it("names the key of each problem", () => {
    expect(problems({ match: {}, virt: "kvm" })).toEqual(["match: set `id` or `name`"]);
    expect(problems({ match: { name: "(" }, virt: "kvm" })).toEqual([
      "match.name: not a valid regular expression",
    ]);
    expect(problems({ match: { id: "a" }, version: "trixie" })).toEqual([
      "version: not an Ubuntu version (24.04) or codename (noble)",
    ]);
    expect(problems({ match: { id: "a" }, arch: "i686" })[0]).toMatch(/^arch: not an architecture/);
    expect(problems({ match: { id: "a" }, stream: "Daily" })[0]).toMatch(/^stream: /);
    expect(problems({ match: { id: "a" }, root_store: "ebs" })[0]).toMatch(/root_store/);
  });

  it("refuses a row that would change nothing", () => {
    expect(problems({ match: { id: "a" } })).toEqual([
      ": an override must set at least one of version, arch, virt, rootStore, stream",
    ]);
  });
});
