import { readdirSync, readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const folder = new URL("./", import.meta.url);
const sources = readdirSync(folder).filter(
  (name) => name.endsWith(".ts") && !name.endsWith(".test.ts"),
);
const ALLOWED_IMPORT =
  /^["'](?:\.\/[\w-]+\.ts|\.\.\/(?:core|signing|upstream)\/index\.ts|\.\.\/store\/(?:errors|keys|memory|object-store|incremental-sha256)\.ts|\.\.\/config\/schema\.ts|p-limit)["']$/;

describe("src/verify stays runnable in Workers", () => {
  it("has sources to check", () => {
    expect(sources).toContain("index.ts");
    expect(sources).toContain("agent-lookup.ts");
  });

  it.each(sources)("%s uses no Node-only module or global", (name) => {
    const text = readFileSync(new URL(name, folder), "utf8");
    expect(text).not.toMatch(/from\s+["']node:|require\(|\bprocess\.|\bBuffer\b|import\(/);
    for (const spec of text.match(/from\s+(["'][^"']+["'])/g) ?? []) {
      expect(spec.replace(/^from\s+/, "")).toMatch(ALLOWED_IMPORT);
    }
  });

  it("imports the configuration schema for its types only", () => {
    for (const name of sources) {
      const text = readFileSync(new URL(name, folder), "utf8");
      expect(text).not.toMatch(/^import\s+\{[^}]*\}\s+from\s+["']\.\.\/config\/schema\.ts["']/m);
    }
  });
});
