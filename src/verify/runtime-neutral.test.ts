import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkRuntimeNeutralFolder } from "../../test/support/runtime-neutral.ts";

const folder = new URL("./", import.meta.url);

describe("src/verify stays runnable in Workers", () => {
  const sources = checkRuntimeNeutralFolder({
    folder,
    mustContain: ["index.ts", "agent-lookup.ts"],
    allowedImport:
      /^["'](?:\.\/[\w-]+\.ts|\.\.\/(?:core|signing|upstream)\/index\.ts|\.\.\/store\/(?:errors|keys|memory|object-store|incremental-sha256)\.ts|\.\.\/config\/schema\.ts|p-limit)["']$/,
  });

  it("imports the configuration schema for its types only", () => {
    for (const name of sources) {
      const text = readFileSync(new URL(name, folder), "utf8");
      expect(text).not.toMatch(/^import\s+\{[^}]*\}\s+from\s+["']\.\.\/config\/schema\.ts["']/m);
    }
  });
});
