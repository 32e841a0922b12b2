import { createHash, randomUUID } from "node:crypto";
import { join } from "node:path";
import { InvalidKeyError } from "./errors.ts";
import { assertValidKey, INTERNAL_PREFIX } from "./keys.ts";

/**
 * Keys under this prefix are the fs store's own machinery (temp files, sidecars, lock
 * files). It sits inside `.streamgate/` so the whole tree stays one plain directory of
 * objects plus one hidden folder, and it is a sub-folder of its own so it never clashes
 * with internal keys other modules choose (`.streamgate/lock/`, `.streamgate/state/`…).
 */
export const FS_RESERVED_PREFIX = `${INTERNAL_PREFIX}fs/`;

/** Where everything of one fs store lives on disk. */
export interface FsLayout {
  root: string;
  /** `<root>/.streamgate/fs`: never listed, never a key. */
  reservedDir: string;
  /** Temp files for atomic writes; same filesystem as the tree, so `rename` is atomic. */
  tmpDir: string;
  /** Sidecars, one per object, named by the sha256 of the key. */
  metaDir: string;
  /** Lock files, one per key being written, named like the sidecars. */
  locksDir: string;
  /** The data file of a key: the key itself, under the root. */
  dataPath(key: string): string;
  sidecarPath(key: string): string;
  lockPath(key: string): string;
  /** A fresh, unique path in `tmpDir`. */
  tempPath(suffix?: string): string;
}

/**
 * `assertValidKey` plus the fs store's own rule: keys under `.streamgate/fs/` are its
 * machinery and refused.
 */
export function assertFsKey(key: string): void {
  assertValidKey(key);
  if (key.startsWith(FS_RESERVED_PREFIX)) {
    throw new InvalidKeyError(key, `\`${FS_RESERVED_PREFIX}\` is reserved for the fs store`);
  }
}

function keyId(key: string): string {
  return createHash("sha256").update(key).digest("hex");
}

/**
 * Sidecars and locks are named by a hash of the key, not by the key: a tree of them
 * mirroring the objects would collide (`a.json` sidecar of `a` against the folder of
 * `a.json/b`) and need pruning; hashed names, sharded by their first two digits, do not.
 */
export function buildFsLayout(root: string): FsLayout {
  const reservedDir = join(root, FS_RESERVED_PREFIX.slice(0, -1));
  const tmpDir = join(reservedDir, "tmp");
  const metaDir = join(reservedDir, "meta");
  const locksDir = join(reservedDir, "locks");
  return {
    root,
    reservedDir,
    tmpDir,
    metaDir,
    locksDir,
    dataPath: (key) => join(root, key),
    sidecarPath(key) {
      const id = keyId(key);
      return join(metaDir, id.slice(0, 2), `${id}.json`);
    },
    lockPath: (key) => join(locksDir, `${keyId(key)}.lock`),
    tempPath: (suffix = "") => join(tmpDir, `${randomUUID()}${suffix}`),
  };
}
