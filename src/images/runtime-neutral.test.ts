import { readFileSync } from "node:fs";
import { dirname, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const here = dirname(fileURLToPath(import.meta.url));
const NODE_ONLY = new Set(["clouds-yaml.ts", "node-fetch.ts", "node-images.ts"]);

/** Every file reachable through static imports from `entry`, with its import specifiers. */
function importGraph(entry: string): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop() as string;
    if (graph.has(file)) continue;
    const text = readFileSync(file, "utf8");
    const specifiers = [...text.matchAll(/(?:from|import)\s*\(?\s*["']([^"']+)["']/g)].map(
      (match) => match[1] as string,
    );
    graph.set(file, specifiers);
    for (const specifier of specifiers) {
      if (specifier.startsWith(".")) pending.push(resolve(dirname(file), specifier));
    }
  }
  return graph;
}

describe("src/images stays runnable in Workers", () => {
  const graph = importGraph(resolve(here, "index.ts"));

  it("reaches its runtime-neutral files from index.ts and none of the Node-only ones", () => {
    const reached = [...graph.keys()].map((file) => relative(here, file));
    expect(reached).toContain("sync-images.ts");
    expect(reached).toContain("images-job-from-env.ts");
    for (const name of NODE_ONLY) expect(reached).not.toContain(name);
  });

  it("imports no Node module or global anywhere below index.ts", () => {
    for (const [file, specifiers] of graph) {
      const name = relative(here, file);
      expect(
        specifiers.filter((specifier) => specifier.startsWith("node:")),
        name,
      ).toEqual([]);
      const text = readFileSync(file, "utf8");
      expect(text, name).not.toMatch(/\bprocess\.|\bBuffer\b|require\(/);
    }
  });
});
