import { randomUUID } from "node:crypto";
import { type FileHandle, mkdir, open, rename, rm } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import type { ObjectInfo, ObjectStore } from "../store/object-store.ts";
import { checkedBytes } from "./checked-bytes.ts";
import { compareForBundle } from "./classify-key.ts";
import { BundleError, messageOf } from "./errors.ts";
import type { BundleProgress } from "./export-bundle.ts";

/**
 * Store prefix → folder under `--metadata-source DIR` (juju-contract.md §9): Juju reads
 * agents from `DIR/tools` (paths in the metadata are relative to it, so `agent/…` tarballs
 * land in `DIR/tools/agent/…`) and image-ids from `DIR/images`.
 */
const LAYOUT: readonly { prefix: string; folder: string }[] = [
  { prefix: "juju/tools/", folder: "tools/" },
  { prefix: "images/", folder: "images/" },
];

/**
 * The public key of signed image-ids as the store holds it (DESIGN.md §4), and the path
 * it is copied to under DIR: outside `tools/` and `images/`, for `JUJU_STREAMS_PUBLICKEY_FILE`.
 */
export const IMAGES_KEY = "keys/images.asc";

export interface ExportMetadataSourceOptions {
  store: ObjectStore;
  /** Folder to write (created if needed); files already there are replaced, others kept. */
  dir: string;
  onProgress?: (progress: BundleProgress) => void;
}

export interface ExportMetadataSourceResult {
  /** Absolute path of DIR. */
  dir: string;
  files: number;
  bytes: number;
  /** `DIR/tools/streams/v1/…` was written. */
  agents: boolean;
  /** `DIR/images/streams/v1/…` was written. */
  images: boolean;
  /** The image metadata includes `.sjson` files signed with the operator's key. */
  imagesSigned: boolean;
  /** Absolute path of the image-ids public key copied from the store, if it has one. */
  publicKeyFile?: string;
}

interface Copy {
  info: ObjectInfo;
  /** Path relative to DIR. */
  target: string;
}

async function writeFully(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset);
    offset += bytesWritten;
  }
}

/** Writes `body` to `path` through a temp file beside it, so a reader never sees half a file. */
async function writeAtomically(path: string, body: AsyncIterable<Uint8Array>): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  // A dot-name: Juju never asks for it, and a crashed run's leftover is easy to spot.
  const temp = join(dirname(path), `.${basename(path)}.${randomUUID()}.tmp`);
  const handle = await open(temp, "wx", 0o644);
  try {
    for await (const chunk of body) await writeFully(handle, chunk);
    await handle.sync();
    await handle.close();
    await rename(temp, path);
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(temp, { force: true });
    throw error;
  }
}

async function plan(store: ObjectStore): Promise<Copy[]> {
  const copies: Copy[] = [];
  for (const { prefix, folder } of LAYOUT) {
    for await (const info of store.list(prefix)) {
      copies.push({ info, target: `${folder}${info.key.slice(prefix.length)}` });
    }
  }
  return copies.sort((a, b) => compareForBundle(a.info.key, b.info.key));
}

/**
 * `streamgate bundle export --metadata-source DIR`: the store's agents and image-ids as
 * plain files in the layout `juju bootstrap --metadata-source DIR` reads — every file
 * written through a temp file and renamed, payload first and index files last, each
 * checked against the sha256 the store recorded. Signed agent metadata (`.sjson`) is
 * carried as stored; internal `.streamgate/` files never are. The image-ids public key
 * goes to `DIR/keys/images.asc`, outside what Juju reads, for `JUJU_STREAMS_PUBLICKEY_FILE`.
 *
 * @throws {BundleError} when the store holds neither agents nor images, or a file fails.
 */
export async function exportMetadataSource(
  options: ExportMetadataSourceOptions,
): Promise<ExportMetadataSourceResult> {
  const { store } = options;
  const dir = resolve(options.dir);
  const copies = await plan(store);
  if (copies.length === 0) {
    throw new BundleError(
      `the ${store.name} store holds nothing under juju/tools/ or images/: nothing to export`,
    );
  }
  const key = await store.head(IMAGES_KEY);
  if (key !== null && copies.some(({ target }) => target.startsWith("images/"))) {
    copies.push({ info: key, target: IMAGES_KEY });
  }
  const bytesTotal = copies.reduce((sum, { info }) => sum + info.size, 0);
  let bytesDone = 0;
  for (const [index, { info, target }] of copies.entries()) {
    const stored = await store.get(info.key);
    if (stored === null) {
      throw new BundleError(`"${info.key}" vanished from the store during the export`, {
        key: info.key,
      });
    }
    const body =
      stored.sha256 === undefined
        ? stored.body
        : checkedBytes(
            stored.body,
            { size: stored.size, sha256: stored.sha256 },
            (problem) =>
              new Error(`its bytes do not match the sha256 the store recorded: ${problem}`),
          );
    try {
      await writeAtomically(join(dir, target), body);
    } catch (error) {
      throw new BundleError(
        `writing "${info.key}" to ${join(dir, target)} failed: ${messageOf(error)}`,
        {
          key: info.key,
          cause: error,
        },
      );
    }
    bytesDone += stored.size;
    options.onProgress?.({
      key: info.key,
      objectsDone: index + 1,
      objectsTotal: copies.length,
      bytesDone,
      bytesTotal,
    });
  }
  const targets = copies.map(({ target }) => target);
  return {
    dir,
    files: copies.length,
    bytes: bytesDone,
    agents: targets.some((target) => target.startsWith("tools/streams/v1/")),
    images: targets.some((target) => target.startsWith("images/streams/v1/")),
    imagesSigned: targets.some((target) => /^images\/streams\/v1\/.*\.sjson$/.test(target)),
    ...(targets.includes(IMAGES_KEY) ? { publicKeyFile: join(dir, IMAGES_KEY) } : {}),
  };
}
