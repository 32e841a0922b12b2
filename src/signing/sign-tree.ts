/**
 * @module
 * `streamgate sign DIR`: writes the signed `.sjson` twin of every simplestreams `.json`
 * file in a directory tree. Node only (it uses the filesystem), so it is not re-exported
 * from `./index.ts`; import it from `src/signing/sign-tree.ts`.
 */
import { randomUUID } from "node:crypto";
import type { Dirent } from "node:fs";
import { readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { clearsign, isUnchangedClearsign } from "./clearsign.ts";
import { parseSigningKey, type SigningKeyInput } from "./parse-keys.ts";
import { buildSignedIndex, type IndexPathRewrite, isIndexDocument } from "./signed-index.ts";

/** What `signTree` did for one `.json` file. */
export interface SignedTreeFile {
  /** The unsigned file, relative to the signed directory, with `/` separators. It is never modified. */
  source: string;
  /** Its signed twin beside it (`.sjson`). */
  target: string;
  /** `written` when the twin was created or replaced; `unchanged` when it already held this content signed by this key. */
  status: "written" | "unchanged";
  /** For index files: the entries whose product path points at a `.sjson` file in the twin. */
  rewrites: IndexPathRewrite[];
}

/** The tree cannot be signed as asked (nothing to sign, unreadable JSON, an index naming a missing file). */
export class SignTreeError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(`[streamgate] [signing] ${message}`, options);
    this.name = "SignTreeError";
  }
}

interface StreamFile {
  /** Absolute path of the `.json` file. */
  path: string;
  /** The metadata base its index paths are relative to: the parent of its `streams/v1`. */
  base: string;
}

interface PlannedFile {
  file: StreamFile;
  text: string;
  rewrites: IndexPathRewrite[];
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Regular files, and links to them (a dangling link is skipped, not an error). */
async function isFileEntry(path: string, entry: Dirent): Promise<boolean> {
  if (entry.isFile()) {
    return true;
  }
  if (!entry.isSymbolicLink()) {
    return false;
  }
  return stat(path).then(
    (target) => target.isFile(),
    () => false,
  );
}

/** Every `*.json` at any depth under a `streams/v1` directory, skipping dot-entries. */
async function findStreamFiles(root: string): Promise<StreamFile[]> {
  const found: StreamFile[] = [];
  const walk = async (directory: string, base: string | undefined): Promise<void> => {
    const entries = await readdir(directory, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (entry.name.startsWith(".")) {
        continue;
      }
      const path = join(directory, entry.name);
      if (entry.isDirectory()) {
        const entersStreams =
          base === undefined && entry.name === "v1" && basename(directory) === "streams";
        await walk(path, entersStreams ? dirname(directory) : base);
      } else if (
        base !== undefined &&
        entry.name.endsWith(".json") &&
        (await isFileEntry(path, entry))
      ) {
        found.push({ path, base });
      }
    }
  };
  const rootIsStreams = basename(root) === "v1" && basename(dirname(root)) === "streams";
  await walk(root, rootIsStreams ? dirname(dirname(root)) : undefined);
  return found;
}

function signedTwin(path: string): string {
  return `${path.slice(0, -".json".length)}.sjson`;
}

async function planFile(
  file: StreamFile,
  display: (path: string) => string,
  signable: ReadonlySet<string>,
): Promise<PlannedFile> {
  let text: string;
  let document: unknown;
  try {
    text = utf8.decode(await readFile(file.path));
    document = JSON.parse(text);
  } catch (error) {
    throw new SignTreeError(
      `cannot read "${display(file.path)}" as JSON: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  if (!isIndexDocument(document)) {
    return { file, text, rewrites: [] };
  }
  const { index, rewrites } = buildSignedIndex(document);
  for (const rewrite of rewrites) {
    const product = resolve(file.base, rewrite.from);
    if (!signable.has(product)) {
      throw new SignTreeError(
        `index "${display(file.path)}" entry "${rewrite.contentId}" names "${rewrite.from}", but "${display(product)}" is not a streams/v1 .json file in this tree, so its signed twin would point at a missing file`,
      );
    }
  }
  if (rewrites.length === 0) {
    return { file, text, rewrites };
  }
  // Rendered like upstream simplestreams files: one-space indent, trailing newline.
  return { file, text: `${JSON.stringify(index, null, 1)}\n`, rewrites };
}

async function readIfExists(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") {
      return undefined;
    }
    throw error;
  }
}

/** Readers (nginx, Juju via file://) see the old twin or the new one, never half a file. */
async function writeFileAtomic(path: string, data: string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  try {
    await writeFile(temporary, data, { flag: "wx" });
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw new SignTreeError(`cannot write "${path}": ${(error as Error).message}`, {
      cause: error,
    });
  }
}

/**
 * Writes a clearsigned `.sjson` twin beside every `*.json` under any `streams/v1/`
 * directory below `dir`. In index files (`format: "index:1.0"`) the twin's product paths
 * end in `.sjson` while the unsigned index keeps its `.json` paths. Idempotent: a twin that
 * already holds the same content signed by the same key is left untouched; any other
 * (stale, foreign, damaged) twin is replaced atomically. Everything is read and checked
 * before anything is written.
 *
 * @returns one entry per `.json` file, in path order.
 * @throws {SignTreeError} when there is nothing to sign, a file is not JSON, or an index
 *   names a product file that is not in the tree.
 * @throws {UnusableKeyError} when Juju could not verify signatures made with the key.
 */
export async function signTree(
  dir: string,
  privateKey: SigningKeyInput,
): Promise<SignedTreeFile[]> {
  const root = resolve(dir);
  const isDirectory = await stat(root).then(
    (info) => info.isDirectory(),
    () => false,
  );
  if (!isDirectory) {
    throw new SignTreeError(`cannot sign "${dir}": it is not a directory`);
  }
  const key = await parseSigningKey(privateKey);
  const display = (path: string) => relative(root, path).split(sep).join("/");

  const files = await findStreamFiles(root);
  if (files.length === 0) {
    throw new SignTreeError(`nothing to sign: no streams/v1/*.json file under "${dir}"`);
  }
  const signable = new Set(files.map((file) => file.path));
  const planned: PlannedFile[] = [];
  for (const file of files) {
    planned.push(await planFile(file, display, signable));
  }

  const results: SignedTreeFile[] = [];
  for (const { file, text, rewrites } of planned) {
    const target = signedTwin(file.path);
    const existing = await readIfExists(target);
    const unchanged = existing !== undefined && (await isUnchangedClearsign(existing, text, key));
    if (!unchanged) {
      await writeFileAtomic(target, await clearsign(text, key));
    }
    results.push({
      source: display(file.path),
      target: display(target),
      status: unchanged ? "unchanged" : "written",
      rewrites,
    });
  }
  return results;
}
