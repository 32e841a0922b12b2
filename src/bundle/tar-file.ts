import type { FileHandle } from "node:fs/promises";
import { open, rename, rm } from "node:fs/promises";
import { dirname } from "node:path";
import { pack as createPack, type Pack } from "tar-stream";

/** One file entry: its bytes are streamed into the archive, never held whole. */
export interface TarEntry {
  name: string;
  size: number;
  mtime?: Date;
  body: Uint8Array | AsyncIterable<Uint8Array>;
}

export type AddTarEntry = (entry: TarEntry) => Promise<void>;

export interface WrittenTar {
  file: string;
  bytes: number;
}

/** The temp name an archive is written under until it is complete. */
export function partialPath(file: string): string {
  return `${file}.partial`;
}

type Sink = ReturnType<Pack["entry"]>;

function closedError(): Error {
  return new Error("the archive was closed while an entry was written");
}

/** Resolves when `sink` wants more bytes; rejects if it is torn down meanwhile. */
function drained(sink: Sink): Promise<void> {
  if (sink.destroying || sink.destroyed) return Promise.reject(closedError());
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      sink.off("drain", onDrain);
      sink.off("close", onClose);
    };
    const onDrain = () => {
      cleanup();
      resolve();
    };
    const onClose = () => {
      cleanup();
      reject(closedError());
    };
    sink.on("drain", onDrain);
    sink.on("close", onClose);
  });
}

async function pump(sink: Sink, body: AsyncIterable<Uint8Array>): Promise<void> {
  for await (const chunk of body) {
    if (!sink.write(chunk)) await drained(sink);
  }
  // streamx types `end` with a required argument; `null` writes nothing, like Node streams.
  sink.end(null);
}

function addTo(pack: Pack): AddTarEntry {
  return function addTarEntry(entry: TarEntry): Promise<void> {
    return new Promise((resolve, reject) => {
      const header = {
        name: entry.name,
        size: entry.size,
        mode: 0o644,
        type: "file" as const,
        mtime: entry.mtime ?? new Date(),
      };
      const done = (error?: Error | null) => (error ? reject(error) : resolve());
      if (entry.body instanceof Uint8Array) {
        pack.entry(header, entry.body, done);
        return;
      }
      const sink = pack.entry(header, done);
      // The entry's callback settles the promise with the error that destroyed the sink;
      // without a listener streamx would also throw that error as an uncaught one.
      sink.on("error", () => undefined);
      pump(sink, entry.body).catch((error: unknown) => {
        sink.destroy(error instanceof Error ? error : new Error(String(error)));
      });
    });
  };
}

async function writeFully(handle: FileHandle, chunk: Uint8Array): Promise<void> {
  let offset = 0;
  while (offset < chunk.byteLength) {
    const { bytesWritten } = await handle.write(chunk, offset);
    offset += bytesWritten;
  }
}

async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, "r");
  try {
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== "EINVAL" && code !== "ENOTSUP") throw error;
  } finally {
    await handle.close();
  }
}

/**
 * Writes a tar archive to `file` as `produce` adds entries, streaming each entry's bytes
 * straight to disk (tar-stream's back-pressure keeps one small buffer in memory). The
 * archive is written to `FILE.partial`, synced and renamed into place only when `produce`
 * resolves; if anything fails — `produce`, an entry's body, the disk — the partial file is
 * removed and `FILE` is left as it was.
 */
export async function writeTarFile(
  file: string,
  produce: (add: AddTarEntry) => Promise<void>,
): Promise<WrittenTar> {
  const partial = partialPath(file);
  const handle = await open(partial, "w", 0o644);
  const pack = createPack();
  let bytes = 0;
  let failure: { error: unknown } | undefined;
  const fail = (error: unknown) => {
    if (failure !== undefined) return;
    failure = { error };
    pack.destroy(error instanceof Error ? error : new Error(String(error)));
  };
  const consuming = (async () => {
    for await (const chunk of pack as AsyncIterable<Uint8Array>) {
      await writeFully(handle, chunk);
      bytes += chunk.byteLength;
    }
  })().catch(fail);
  const producing = produce(addTo(pack)).then(() => pack.finalize(), fail);
  try {
    await Promise.all([producing, consuming]);
    if (failure !== undefined) throw failure.error;
    await handle.sync();
    await handle.close();
    await rename(partial, file);
    await syncDir(dirname(file));
    return { file, bytes };
  } catch (error) {
    await handle.close().catch(() => undefined);
    await rm(partial, { force: true });
    throw error;
  }
}
