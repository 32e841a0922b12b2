import { readFileSync } from "node:fs";

/**
 * Text of a file in test/fixtures/. Node-only; kept out of src/http so nothing there
 * imports `node:` — not even its tests.
 */
export function readFixture(name: string): string {
  return readFileSync(new URL(`../fixtures/${name}`, import.meta.url), "utf8");
}
