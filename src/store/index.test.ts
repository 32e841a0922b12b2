import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import * as store from "./index.ts";

const here = dirname(fileURLToPath(import.meta.url));

/** Every module specifier `file` imports, statically or through `import()`. */
function specifiersOf(file: string): string[] {
  const source = readFileSync(file, "utf8");
  const pattern = /(?:\bfrom\s*|\bimport\s*\(?\s*)["']([^"']+)["']/g;
  return [...source.matchAll(pattern)].map((match) => match[1] as string);
}

/** Specifiers reached from `entry` through relative imports, with the file that imports each. */
function importGraph(entry: string): { from: string; specifier: string }[] {
  const seen = new Set<string>();
  const found: { from: string; specifier: string }[] = [];
  const visit = (file: string) => {
    if (seen.has(file)) return;
    seen.add(file);
    for (const specifier of specifiersOf(file)) {
      found.push({ from: file.slice(here.length + 1), specifier });
      if (specifier.startsWith(".")) visit(join(dirname(file), specifier));
    }
  };
  visit(join(here, entry));
  return found;
}

describe.each(["index.ts", "store-contract.ts"])("%s", (entry) => {
  it("reaches no node: module, so a Worker bundle can import it", () => {
    const graph = importGraph(entry);
    expect(graph.length).toBeGreaterThan(0);
    expect(graph.filter(({ specifier }) => specifier.startsWith("node:"))).toEqual([]);
    expect(
      graph.filter(({ specifier }) => /(^|\/)(fs|open-store|fs-[a-z-]+)\.ts$/.test(specifier)),
    ).toEqual([]);
  });
});

describe("store index", () => {
  it("exposes the runtime-neutral surface", () => {
    expect(Object.keys(store).sort()).toEqual(
      [
        "DEFAULT_STORE_URL",
        "INTERNAL_PREFIX",
        "IntegrityError",
        "InvalidKeyError",
        "InvalidStoreUrlError",
        "MAX_KEY_BYTES",
        "MAX_SEGMENT_BYTES",
        "MEMORY_STORE_NAME",
        "PreconditionFailedError",
        "RangeNotSatisfiableError",
        "StoreError",
        "assertValidKey",
        "assertValidPrefix",
        "compareKeys",
        "createMemoryStore",
        "isInternalKey",
        "isValidKey",
        "parseStoreUrl",
        "preconditionHolds",
        "resolveRange",
      ].sort(),
    );
  });
});
