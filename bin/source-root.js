// Where bin/streamgate.js loads streamgate from: dist/ (built by scripts/build.js) while it
// is newer than every source file, src/ (TypeScript stripped at run time) otherwise.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

/** Relative to the repository root. */
export const DIST_DIR = "dist";
/** Written by scripts/build.js once dist/ is complete. */
export const BUILD_STAMP = `${DIST_DIR}/.built`;

const ROOT = join(import.meta.dirname, "..");

function mtimeMs(path) {
  try {
    return statSync(path).mtimeMs;
  } catch {
    return undefined;
  }
}

function builtIsFresh(root) {
  const built = mtimeMs(join(root, BUILD_STAMP));
  if (built === undefined) return false;
  const sources = readdirSync(join(root, "src"), { recursive: true })
    .filter((name) => name.endsWith(".ts"))
    .map((name) => join(root, "src", name));
  sources.push(join(root, "package.json"), join(root, "tsconfig.build.json"));
  // A file that is not there (tsconfig.build.json in an image) cannot have changed.
  return sources.every((source) => (mtimeMs(source) ?? 0) <= built);
}

/**
 * The URL of streamgate's module `name` (`cli/main`, `store/open-store`): compiled when
 * dist/ is fresh, the TypeScript source otherwise.
 * @param {string} name
 * @param {string} [root] the repository (tests point it elsewhere)
 * @returns {URL}
 */
export function sourceModule(name, root = ROOT) {
  const file = builtIsFresh(root) ? `${DIST_DIR}/src/${name}.js` : `src/${name}.ts`;
  return pathToFileURL(join(root, file));
}
