import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { checkRuntimeNeutralFolder } from "../../test/support/runtime-neutral.ts";

const folder = new URL("./", import.meta.url);

describe("src/upstream stays runnable in Workers", () => {
  // file-transport.ts and node-fetch.ts are the Node-only files; index.ts must not reach them.
  checkRuntimeNeutralFolder({
    folder,
    mustContain: ["index.ts", "http-transport.ts"],
    allowedImport: /^["'](?:\.\/[\w-]+|\.\.\/(?:core|signing)\/index)\.ts["']$/,
    nodeOnly: ["file-transport.ts", "node-fetch.ts"],
  });

  it("keeps the Node-only files out of the public surface", () => {
    expect(readFileSync(new URL("index.ts", folder), "utf8")).not.toMatch(
      /from\s+["']\.\/(?:file-transport|node-fetch)\.ts["']/,
    );
  });
});
