import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const folder = new URL("./", import.meta.url);
const sources = readdirSync(folder).filter(
  (name) => name.endsWith(".ts") && !name.endsWith(".test.ts"),
);

describe("src/core stays runnable in Workers", () => {
  it("has sources to check", () => {
    expect(sources).toContain("index.ts");
  });

  it.each(sources)("%s uses no Node-only module or global", (name) => {
    const text = readFileSync(new URL(name, folder), "utf8");
    expect(text).not.toMatch(
      /from\s+["']node:|require\(|\bprocess\.|\bBuffer\b|import\(["'](?!\.)/,
    );
    expect(
      text.match(/from\s+["'][^"']+["']/g)?.every((spec) => /["']\.\/[\w-]+\.ts["']$/.test(spec)) ??
        true,
    ).toBe(true);
  });
});
