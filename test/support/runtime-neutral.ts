import { readdirSync, readFileSync } from "node:fs";
import { expect, it } from "vitest";

export interface RuntimeNeutralFolderOptions {
  /** The folder, e.g. `new URL("./", import.meta.url)`. */
  folder: URL;
  /** Files that must be among the checked sources (so an emptied folder cannot pass). */
  mustContain: readonly string[];
  /** What every `from "…"` specifier must match (quotes included). */
  allowedImport: RegExp;
  /** Node-only files of the folder, kept out of the check. */
  nodeOnly?: readonly string[];
}

/**
 * Registers the checks that a folder's sources stay runnable in Workers: no `node:`
 * module, `require`, `process`, `Buffer` or dynamic import, and only the allowed imports.
 * Returns the checked file names for folder-specific checks.
 */
export function checkRuntimeNeutralFolder(options: RuntimeNeutralFolderOptions): string[] {
  const { folder, allowedImport } = options;
  const nodeOnly = new Set(options.nodeOnly ?? []);
  const sources = readdirSync(folder).filter(
    (name) => name.endsWith(".ts") && !name.endsWith(".test.ts") && !nodeOnly.has(name),
  );

  it("has sources to check", () => {
    for (const name of options.mustContain) expect(sources).toContain(name);
  });

  it.each(sources)("%s uses no Node-only module or global", (name) => {
    const text = readFileSync(new URL(name, folder), "utf8");
    expect(text).not.toMatch(/from\s+["']node:|require\(|\bprocess\.|\bBuffer\b|import\(/);
    for (const spec of text.match(/from\s+(["'][^"']+["'])/g) ?? []) {
      expect(spec.replace(/^from\s+/, "")).toMatch(allowedImport);
    }
  });
  return sources;
}
