import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkRuntimeNeutralFolder } from "../../test/support/runtime-neutral.ts";

const folder = new URL("./", import.meta.url);

describe("src/upstream stays runnable in Workers", () => {
  // file-transport.ts is the one Node-only file; index.ts must not reach it.
  checkRuntimeNeutralFolder({
    folder,
    mustContain: ["index.ts", "http-transport.ts"],
    allowedImport: /^["'](?:\.\/[\w-]+|\.\.\/(?:core|signing)\/index)\.ts["']$/,
    nodeOnly: ["file-transport.ts"],
  });

  it("keeps the file transport out of the public surface", () => {
    expect(readFileSync(new URL("index.ts", folder), "utf8")).not.toMatch(
      /from\s+["']\.\/file-transport\.ts["']/,
    );
  });
});
