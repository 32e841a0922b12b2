import { createHash } from "node:crypto";
import type { BigIntStats, Dirent } from "node:fs";
import { constants, stat as statWithCallback } from "node:fs";
import {
  type FileHandle,
  link,
  lstat,
  mkdir,
  open,
  readdir,
  rename,
  rm,
  rmdir,
  stat,
  unlink,
} from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { IntegrityError, PreconditionFailedError, StoreError } from "./errors.ts";
import { assertFsKey, buildFsLayout, FS_RESERVED_PREFIX, type FsLayout } from "./fs-layout.ts";
import { createKeyLocks } from "./fs-lock.ts";
import { bytesStream, createFileStream, READ_CHUNK_SIZE, readFileRange } from "./fs-read-stream.ts";
import {
  buildSidecar,
  readSidecar,
  removeSidecar,
  type Sidecar,
  writeSidecar,
} from "./fs-sidecar.ts";
import { createSidecarCache } from "./fs-sidecar-cache.ts";
import { createSmallFileCache } from "./fs-small-file-cache.ts";
import { assertValidPrefix, compareKeys, isValidKey } from "./keys.ts";
import type {
  GetOptions,
  ObjectInfo,
  ObjectStore,
  PutBody,
  PutOptions,
  StoredObject,
} from "./object-store.ts";
import { isConditional, preconditionHolds } from "./precondition.ts";
import { assertPutOptions, integrityProblem, oversizeProblem, readPutBody } from "./put-body.ts";
import { resolveRange } from "./range.ts";

/** Name used in error messages. API: https://nodejs.org/api/fs.html#promises-api */
export const FS_STORE_NAME = "fs";

/** Small chunks from a body are gathered up to this size before one `writev`. */
const WRITE_BATCH_BYTES = 256 * 1024;

/**
 * A large put starts writing back every this many bytes (`fdatasync` in the background),
 * so the fsync before the rename finds little left to flush: on a 1 GiB sync of 8
 * tarballs the final fsyncs otherwise all wait at the end, idle, for the whole gigabyte.
 */
const WRITEBACK_BYTES = 16 * 1024 * 1024;

/** Objects `list` stats (and reads sidecars of) at once. */
const LIST_BATCH = 64;

/** Keys `delete` removes at once. */
const DELETE_CONCURRENCY = 8;

/** Temp files older than this are leftovers of a crash, removed by the first write. */
const TEMP_MAX_AGE_MS = 24 * 60 * 60 * 1000;

/** How often `put` re-creates a parent folder that a concurrent delete pruned. */
const PLACE_ATTEMPTS = 5;

export interface FsStoreOptions {
  /** Folder of the tree (created on the first write); relative paths resolve against the cwd. */
  root: string;
  /**
   * Age after which another writer's lock file counts as abandoned (default 30 s). See
   * `fs-lock.ts`; only tests need to change it.
   */
  lockStaleMs?: number;
  /**
   * Sidecars kept in memory so reads do not re-read them (default 10 000; see
   * `fs-sidecar-cache.ts`). 0 reads the sidecar file on every `get`, `head` and `list`.
   */
  sidecarCacheEntries?: number;
  /**
   * Bytes of small files (up to 256 KiB each) kept in memory, each checked with one
   * `stat` before use (default 32 MiB; see `fs-small-file-cache.ts`). 0 reads every file
   * from disk on every `get`.
   */
  smallFileCacheBytes?: number;
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function isMissing(error: unknown): boolean {
  const code = errorCode(error);
  return code === "ENOENT" || code === "ENOTDIR";
}

/**
 * `stat` through the callback API: half the CPU of the `fs/promises` one or less (Node 22,
 * measured with 32 concurrent calls), and `head` and kept small files run one per request.
 */
function statBigInt(path: string): Promise<BigIntStats> {
  return new Promise((resolve, reject) => {
    statWithCallback(path, { bigint: true }, (error, stats) =>
      error === null ? resolve(stats) : reject(error),
    );
  });
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** nginx-style validator for files streamgate did not write: mtime and size. */
function statEtag(stats: BigIntStats): string {
  return `${stats.mtimeNs.toString(16)}-${stats.size.toString(16)}`;
}

function toInfo(key: string, stats: BigIntStats, sidecar: Sidecar | null): ObjectInfo {
  return {
    key,
    size: Number(stats.size),
    etag: sidecar === null ? statEtag(stats) : sidecar.sha256,
    lastModified: new Date(Number(stats.mtimeNs / 1_000_000n)),
    ...(sidecar?.contentType === undefined ? {} : { contentType: sidecar.contentType }),
    ...(sidecar === null ? {} : { sha256: sidecar.sha256 }),
  };
}

async function writeAll(handle: FileHandle, chunks: Uint8Array[]): Promise<void> {
  let pending = chunks;
  while (pending.length > 0) {
    const { bytesWritten } = await handle.writev(pending);
    let skip = bytesWritten;
    const rest: Uint8Array[] = [];
    for (const chunk of pending) {
      if (skip >= chunk.byteLength) skip -= chunk.byteLength;
      else {
        rest.push(chunk.subarray(skip));
        skip = 0;
      }
    }
    pending = rest;
  }
}

/** Makes a rename in `dir` durable; filesystems that cannot fsync a folder are let be. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch (error) {
    const code = errorCode(error);
    if (code !== "EINVAL" && code !== "ENOTSUP") throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Objects as plain files under a root folder: the object key is the file path, so the
 * tree can be served by nginx/Apache or read by Juju as `file://` / `--metadata-source`.
 * The store's own files live under `<root>/.streamgate/fs/` (same filesystem):
 *
 * - `tmp/`: a put streams its body there while hashing it (node:crypto, never buffered
 *   whole), checks `size`/`sha256`, fsyncs, then renames it into place, so readers only
 *   ever see whole files. A failed put removes its temp file.
 * - `meta/`: a sidecar per object records sha256 and content type, tied to the data
 *   file's inode, size and mtime (see `fs-sidecar.ts`). It is written before the rename:
 *   a crash in between leaves a sidecar that matches no file, which is ignored.
 * - `locks/`: every put and delete of a key holds that key's lock (`fs-lock.ts`), across
 *   processes, so `ifMatch` is check-then-rename with no writer in between, and
 *   `ifNoneMatch: "*"` is additionally a `link()`, which fails atomically if the name
 *   exists. Hence `conditionalWrites: true`, the lease lock of sync relies on it.
 *
 * Etags are the recorded sha256, or `<mtime ns>-<size>` in hex for files streamgate did
 * not write. Reading a path that is a folder gives `null`. A body must be read to the end
 * or cancelled: it holds an open file until then (bodies of up to one read chunk, 1 MiB,
 * are read at once and hold nothing).
 *
 * Serving is what this store does most, so reads are cheap in memory: sidecars once read
 * are kept (`fs-sidecar-cache.ts`), and so are the bytes of small files, checked with one
 * `stat` per `get` (`fs-small-file-cache.ts`). Both are bounded, and both check the file
 * they are about, so another process writing the same tree is seen at once.
 */
export function createFsStore(options: FsStoreOptions): ObjectStore {
  const layout: FsLayout = buildFsLayout(resolve(options.root));
  const locks = createKeyLocks(
    options.lockStaleMs === undefined ? {} : { staleMs: options.lockStaleMs },
  );
  const sidecars = createSidecarCache(options.sidecarCacheEntries);
  const smallFiles = createSmallFileCache(
    options.smallFileCacheBytes === undefined ? {} : { maxBytes: options.smallFileCacheBytes },
  );
  let internalDirs: Promise<void> | undefined;

  const fail = (operation: string, key: string | undefined, cause: unknown): never => {
    if (cause instanceof StoreError) throw cause;
    throw new StoreError(messageOf(cause), {
      store: FS_STORE_NAME,
      operation,
      ...(key === undefined ? {} : { key }),
      cause,
    });
  };

  /** Removes temp files a crashed writer left behind; a live write keeps its mtime fresh. */
  async function sweepTemp(): Promise<void> {
    const cutoff = Date.now() - TEMP_MAX_AGE_MS;
    const names = await readdir(layout.tmpDir);
    await Promise.all(
      names.map(async (name) => {
        const path = join(layout.tmpDir, name);
        if ((await stat(path)).mtimeMs < cutoff) await rm(path, { force: true });
      }),
    );
  }

  function ensureInternalDirs(): Promise<void> {
    internalDirs ??= Promise.all(
      [layout.tmpDir, layout.metaDir, layout.locksDir].map((dir) =>
        mkdir(dir, { recursive: true }),
      ),
    ).then(
      // Best effort: a sweep that fails (a file vanished meanwhile) must not fail the put.
      () => sweepTemp().catch(() => undefined),
      (error: unknown) => {
        internalDirs = undefined;
        throw error;
      },
    );
    return internalDirs;
  }

  /** The object at `key` as of `stats`, or `null` when the path is not a regular file. */
  async function infoFromStats(key: string, stats: BigIntStats): Promise<ObjectInfo | null> {
    if (!stats.isFile()) return null;
    const kept = sidecars.get(key, stats);
    if (kept !== undefined) return toInfo(key, stats, kept);
    const sidecar = await readSidecar(layout, key, stats);
    if (sidecar !== null) sidecars.set(sidecar, stats);
    return toInfo(key, stats, sidecar);
  }

  async function readInfo(key: string): Promise<ObjectInfo | null> {
    let stats: BigIntStats;
    try {
      stats = await statBigInt(layout.dataPath(key));
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
    return infoFromStats(key, stats);
  }

  interface Written {
    size: number;
    sha256: string;
    stats: BigIntStats;
  }

  /** Streams the body into `temp`, hashing and counting; throws before anything is placed. */
  async function writeTemp(
    key: string,
    temp: string,
    body: PutBody,
    putOptions: PutOptions,
  ): Promise<Written> {
    const integrity = (message: string) =>
      new IntegrityError(message, { store: FS_STORE_NAME, operation: "put", key });
    const hash = createHash("sha256");
    const chunks = readPutBody(body);
    const handle = await open(temp, "wx");
    let writeback: Promise<void> | undefined;
    try {
      let size = 0;
      let batch: Uint8Array[] = [];
      let batchBytes = 0;
      let unsynced = 0;
      for (;;) {
        let next: IteratorResult<Uint8Array>;
        try {
          next = await chunks.next();
        } catch (error) {
          throw new StoreError(`reading the body failed: ${messageOf(error)}`, {
            store: FS_STORE_NAME,
            operation: "put",
            key,
            cause: error,
          });
        }
        if (next.done) break;
        size += next.value.byteLength;
        const oversize = oversizeProblem(putOptions, size);
        if (oversize !== undefined) throw integrity(oversize);
        hash.update(next.value);
        batch.push(next.value);
        batchBytes += next.value.byteLength;
        if (batchBytes >= WRITE_BATCH_BYTES) {
          await writeAll(handle, batch);
          unsynced += batchBytes;
          batch = [];
          batchBytes = 0;
          if (unsynced >= WRITEBACK_BYTES) {
            await writeback;
            writeback = handle.datasync();
            // Handled now, thrown by the next await: a failure while the body is read must
            // not surface as an unhandled rejection.
            writeback.catch(() => undefined);
            unsynced = 0;
          }
        }
      }
      await writeAll(handle, batch);
      await writeback;
      const sha256 = hash.digest("hex");
      const problem = integrityProblem(putOptions, size, sha256);
      if (problem !== undefined) throw integrity(problem);
      await handle.sync();
      return { size, sha256, stats: await handle.stat({ bigint: true }) };
    } finally {
      await chunks.return(undefined);
      // Never close the file under a datasync still running; its failure is moot by now.
      await writeback?.catch(() => undefined);
      await handle.close();
    }
  }

  /** Moves `temp` to `target`, re-creating the parent if a concurrent delete pruned it. */
  async function place(temp: string, target: string, exclusive: boolean): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      await mkdir(dirname(target), { recursive: true });
      try {
        // After a link the temp name is left for `put` to remove, like after a failure.
        if (exclusive) await link(temp, target);
        else await rename(temp, target);
        return;
      } catch (error) {
        if (errorCode(error) !== "ENOENT" || attempt >= PLACE_ATTEMPTS) throw error;
      }
    }
  }

  async function commit(
    key: string,
    temp: string,
    written: Written,
    putOptions: PutOptions,
  ): Promise<ObjectInfo> {
    const target = layout.dataPath(key);
    const precondition = () =>
      new PreconditionFailedError({ store: FS_STORE_NAME, operation: "put", key });
    if (isConditional(putOptions) && !preconditionHolds(await readInfo(key), putOptions)) {
      throw precondition();
    }
    const sidecar = buildSidecar(key, written.sha256, written.stats, putOptions.contentType);
    if (putOptions.ifNoneMatch === "*") {
      // The sidecar only after the link succeeded: a loser must not touch the winner's.
      try {
        await place(temp, target, true);
      } catch (error) {
        if (errorCode(error) !== "EEXIST") throw error;
        const existing = await lstat(target);
        if (existing.isDirectory()) throw new Error(`${target} is a folder`, { cause: error });
        throw precondition();
      }
      try {
        await writeSidecar(layout, sidecar);
      } catch (error) {
        // A failed put must not leave the object behind: nobody else writes it while we hold its lock.
        await unlink(target).catch(() => undefined);
        throw error;
      }
    } else {
      await writeSidecar(layout, sidecar);
      await place(temp, target, false);
    }
    await syncDir(dirname(target));
    sidecars.set(sidecar, written.stats);
    forgetKept(key);
    return toInfo(key, written.stats, sidecar);
  }

  async function removeObject(key: string): Promise<void> {
    const path = layout.dataPath(key);
    try {
      const stats = await lstat(path);
      if (stats.isDirectory()) return;
      await unlink(path);
    } catch (error) {
      if (!isMissing(error)) throw error;
    }
    sidecars.delete(key);
    forgetKept(key);
    await removeSidecar(layout, key);
    await prune(dirname(path));
  }

  /** Removes folders left empty, upwards, never the root nor the store's own folders. */
  async function prune(dir: string): Promise<void> {
    let current = dir;
    while (current.startsWith(`${layout.root}/`) && current !== layout.reservedDir) {
      try {
        await rmdir(current);
      } catch (error) {
        const code = errorCode(error);
        if (code === "ENOTEMPTY" || code === "EEXIST") return;
        if (code !== "ENOENT") throw error;
      }
      current = dirname(current);
    }
  }

  const checks = new Map<string, Promise<BigIntStats>>();

  /**
   * The `stat` of a kept small file, shared by the gets that ask while it runs: under
   * load many requests for one hot file arrive in the same turn of the event loop, and
   * the handoff to libuv's thread pool costs more than the rest of such a request (one
   * shared check nearly doubled requests per second in `npm run bench:serve`). A get
   * that joins a running check sees the file as it was a moment before it asked, as a
   * get that came that much earlier would; a put or delete by this process ends the
   * sharing, so a get that follows it checks anew.
   */
  function checkSmallFile(key: string): Promise<BigIntStats> {
    const running = checks.get(key);
    if (running !== undefined) return running;
    const check = statBigInt(layout.dataPath(key));
    checks.set(key, check);
    const done = () => {
      if (checks.get(key) === check) checks.delete(key);
    };
    check.then(done, done);
    return check;
  }

  /** What this process knows about `key` no longer holds: it just wrote or removed it. */
  function forgetKept(key: string): void {
    smallFiles.delete(key);
    checks.delete(key);
  }

  /**
   * `get` from a kept copy: `null` when the file is gone, `undefined` when it changed
   * (the caller then reads it from disk).
   */
  async function keptSmallFile(
    key: string,
    getOptions: GetOptions,
  ): Promise<StoredObject | null | undefined> {
    let stats: BigIntStats;
    try {
      stats = await checkSmallFile(key);
    } catch (error) {
      if (!isMissing(error)) return fail("get", key, error);
      smallFiles.delete(key);
      return null;
    }
    const bytes = smallFiles.get(key, stats);
    if (bytes === undefined) return undefined;
    let info: ObjectInfo | null;
    try {
      info = await infoFromStats(key, stats);
    } catch (error) {
      return fail("get", key, error);
    }
    if (info === null) return null;
    if (getOptions.range === undefined) return { ...info, body: bytesStream(bytes.slice()) };
    const range = resolveRange(getOptions.range, info.size, { store: FS_STORE_NAME, key });
    const body = bytesStream(bytes.slice(range.offset, range.offset + range.length));
    return { ...info, body, range };
  }

  async function* walk(
    dir: string,
    keyPrefix: string,
    partial: string,
  ): AsyncGenerator<ObjectInfo> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      if (isMissing(error)) return;
      throw error;
    }
    const candidates: { name: string; sortName: string; entry: Dirent }[] = [];
    for (const entry of entries) {
      const { name } = entry;
      if (!name.startsWith(partial)) continue;
      const key = `${keyPrefix}${name}`;
      // Leaves out dot-files (and `.streamgate` itself at the root: `list("")` hides
      // internal keys) and names no key can have; the store's own folder is never listed.
      if (!isValidKey(key) || `${key}/` === FS_RESERVED_PREFIX) continue;
      const sortName = entry.isDirectory() ? `${name}/` : name;
      candidates.push({ name, sortName, entry });
    }
    candidates.sort((a, b) => compareKeys(a.sortName, b.sortName));

    let batch: string[] = [];
    async function* flush(): AsyncGenerator<ObjectInfo> {
      const infos = await Promise.all(
        batch.map(async (key) => {
          try {
            return await infoFromStats(key, await stat(layout.dataPath(key), { bigint: true }));
          } catch (error) {
            if (isMissing(error)) return null;
            throw error;
          }
        }),
      );
      batch = [];
      for (const info of infos) if (info !== null) yield info;
    }
    for (const { name, entry } of candidates) {
      const key = `${keyPrefix}${name}`;
      // Symlinked folders are not followed (no loops); symlinked files are objects.
      if (entry.isFile() || entry.isSymbolicLink()) {
        batch.push(key);
        if (batch.length >= LIST_BATCH) yield* flush();
      } else if (entry.isDirectory()) {
        yield* flush();
        yield* walk(join(dir, name), `${key}/`, "");
      }
    }
    yield* flush();
  }

  return {
    name: FS_STORE_NAME,
    capabilities: { conditionalWrites: true },

    async get(key: string, getOptions: GetOptions = {}): Promise<StoredObject | null> {
      assertFsKey(key);
      if (smallFiles.has(key)) {
        const kept = await keptSmallFile(key, getOptions);
        if (kept !== undefined) return kept;
      }
      let handle: FileHandle;
      try {
        // O_NONBLOCK: a FIFO at the path must not hang the read; harmless for files.
        handle = await open(layout.dataPath(key), constants.O_RDONLY | constants.O_NONBLOCK);
      } catch (error) {
        if (isMissing(error) || errorCode(error) === "EISDIR") return null;
        return fail("get", key, error);
      }
      try {
        const stats = await handle.stat({ bigint: true });
        const info = await infoFromStats(key, stats);
        if (info === null) {
          await handle.close();
          return null;
        }
        const range =
          getOptions.range === undefined
            ? undefined
            : resolveRange(getOptions.range, info.size, { store: FS_STORE_NAME, key });
        const slice = {
          offset: range?.offset ?? 0,
          length: range?.length ?? info.size,
          onShortFile: () =>
            new StoreError("the file shrank while it was read", {
              store: FS_STORE_NAME,
              operation: "get",
              key,
            }),
        };
        let body: ReadableStream<Uint8Array>;
        if (slice.length <= READ_CHUNK_SIZE) {
          const bytes = await readFileRange(handle, slice);
          if (range === undefined) smallFiles.set(key, stats, bytes);
          body = bytesStream(bytes);
        } else {
          body = createFileStream(handle, slice);
        }
        return range === undefined ? { ...info, body } : { ...info, body, range };
      } catch (error) {
        await handle.close();
        if (error instanceof TypeError) throw error;
        return fail("get", key, error);
      }
    },

    async head(key: string): Promise<ObjectInfo | null> {
      assertFsKey(key);
      try {
        return await readInfo(key);
      } catch (error) {
        return fail("head", key, error);
      }
    },

    async put(key: string, body: PutBody, putOptions: PutOptions = {}): Promise<ObjectInfo> {
      assertFsKey(key);
      assertPutOptions(putOptions);
      const temp = layout.tempPath();
      try {
        await ensureInternalDirs();
        const written = await writeTemp(key, temp, body, putOptions);
        return await locks.withLock(layout.lockPath(key), () =>
          commit(key, temp, written, putOptions),
        );
      } catch (error) {
        return fail("put", key, error);
      } finally {
        // Left only if the put failed or linked it; a stuck one is swept a day later.
        await rm(temp, { force: true }).catch(() => undefined);
      }
    },

    async delete(keys: readonly string[]): Promise<void> {
      for (const key of keys) assertFsKey(key);
      const unique = [...new Set(keys)];
      let next = 0;
      const worker = async () => {
        while (next < unique.length) {
          const current = unique[next++] as string;
          try {
            await ensureInternalDirs();
            await locks.withLock(layout.lockPath(current), () => removeObject(current));
          } catch (error) {
            fail("delete", current, error);
          }
        }
      };
      await Promise.all(Array.from({ length: DELETE_CONCURRENCY }, worker));
    },

    list(prefix: string): AsyncIterable<ObjectInfo> {
      return {
        async *[Symbol.asyncIterator]() {
          assertValidPrefix(prefix);
          if (prefix.startsWith(FS_RESERVED_PREFIX)) return;
          const slash = prefix.lastIndexOf("/");
          const dirKey = prefix.slice(0, slash + 1);
          try {
            // Internal keys come only from a walk that starts inside `.streamgate/`.
            yield* walk(join(layout.root, dirKey), dirKey, prefix.slice(slash + 1));
          } catch (error) {
            fail("list", prefix, error);
          }
        },
      };
    },
  };
}
