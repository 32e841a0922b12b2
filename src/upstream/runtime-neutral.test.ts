import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const folder = new URL("./", import.meta.url);
// file-transport.ts is the one Node-only file; index.ts must not reach it.
const NODE_ONLY = "file-transport.ts";
const sources = readdirSync(folder).filter(
  (name) => name.endsWith(".ts") && !name.endsWith(".test.ts") && name !== NODE_ONLY,
);
const ALLOWED_IMPORT = /^["'](?:\.\/[\w-]+|\.\.\/(?:core|signing)\/index)\.ts["']$/;

describe("src/upstream stays runnable in Workers", () => {
  it("has sources to check", () => {
    expect(sources).toContain("index.ts");
    expect(sources).toContain("http-transport.ts");
  });

  it.each(sources)("%s uses no Node-only module or global", (name) => {
    const text = readFileSync(new URL(name, folder), "utf8");
    expect(text).not.toMatch(/from\s+["']node:|require\(|\bprocess\.|\bBuffer\b|import\(/);
    for (const spec of text.match(/from\s+(["'][^"']+["'])/g) ?? []) {
      expect(spec.replace(/^from\s+/, "")).toMatch(ALLOWED_IMPORT);
    }
  });

  it("keeps the file transport out of the public surface", () => {
    expect(readFileSync(new URL("index.ts", folder), "utf8")).not.toMatch(
      /from\s+["']\.\/file-transport\.ts["']/,
    );
  });
});
