import { randomUUID } from "node:crypto";
import { type FileHandle, link, open, readFile, rename, stat, unlink } from "node:fs/promises";
import { hostname } from "node:os";
import { setTimeout as sleep } from "node:timers/promises";

/**
 * Mutual exclusion per key between every writer of one fs root — async callers in this
 * process and other processes (two `streamgate sync` runs, a CLI next to a server).
 *
 * Why a lock file: Node has no `flock`/`fcntl` locks, and `rename` alone cannot make
 * "check the current etag, then replace" atomic. Creating `<locks>/<id>.lock` with
 * `O_CREAT|O_EXCL` (`wx`) is atomic on POSIX filesystems (and on NFSv3+), so exactly one
 * writer holds it; inside, the check and the rename happen with no other streamgate
 * writer in between. Within this process a promise chain per key queues callers first,
 * so they do not poll their own lock file.
 *
 * A holder that crashed leaves its file behind. It is broken when it is stale: its pid is
 * gone (same host), or it is older than `staleMs` (any host; critical sections last
 * milliseconds). Breaking renames the file aside and checks it moved the very file it
 * judged stale; if a fresh lock was taken in between, that one is linked back. What is
 * left is a microseconds-wide race between two breakers of the same stale lock, right
 * after a crash, and a holder paused for longer than `staleMs`; both are accepted.
 */
export interface KeyLocks {
  withLock<T>(lockPath: string, run: () => Promise<T>): Promise<T>;
}

export interface KeyLocksOptions {
  /** Age after which a lock file is broken even if its holder may live (default 30 s). */
  staleMs?: number;
}

interface Holder {
  pid: number;
  hostname: string;
}

const FIRST_RETRY_MS = 2;
const MAX_RETRY_MS = 50;

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return errorCode(error) !== "ESRCH";
  }
}

async function readHolder(lockPath: string): Promise<Holder | null> {
  try {
    const value = JSON.parse(await readFile(lockPath, "utf8")) as Partial<Holder>;
    return typeof value.pid === "number" && typeof value.hostname === "string"
      ? { pid: value.pid, hostname: value.hostname }
      : null;
  } catch {
    // Missing, or created but not yet written: not evidence of a dead holder.
    return null;
  }
}

export function createKeyLocks(options: KeyLocksOptions = {}): KeyLocks {
  const staleMs = options.staleMs ?? 30_000;
  const self: Holder = { pid: process.pid, hostname: hostname() };
  const queues = new Map<string, Promise<void>>();

  /** Takes the lock file; resolves to its inode, which release checks it still owns. */
  async function acquire(lockPath: string): Promise<bigint> {
    const giveUpAt = Date.now() + 2 * staleMs;
    for (let attempt = 0; ; attempt++) {
      let handle: FileHandle | undefined;
      try {
        handle = await open(lockPath, "wx");
      } catch (error) {
        if (errorCode(error) !== "EEXIST") throw error;
      }
      if (handle !== undefined) {
        try {
          await handle.writeFile(`${JSON.stringify({ ...self, at: new Date().toISOString() })}\n`);
          return (await handle.stat({ bigint: true })).ino;
        } catch (error) {
          // A lock we cannot describe would block everyone until it ages out.
          await unlink(lockPath).catch(() => undefined);
          throw error;
        } finally {
          await handle.close();
        }
      }
      if (await breakIfStale(lockPath)) continue;
      if (Date.now() > giveUpAt) {
        throw new Error(`timed out waiting for the lock ${lockPath}`);
      }
      await sleep(Math.min(FIRST_RETRY_MS * 2 ** attempt, MAX_RETRY_MS));
    }
  }

  /** Whether a stale lock was removed (then acquiring again may succeed at once). */
  async function breakIfStale(lockPath: string): Promise<boolean> {
    let observed: bigint;
    let mtimeMs: number;
    try {
      const stats = await stat(lockPath, { bigint: true });
      observed = stats.ino;
      mtimeMs = Number(stats.mtimeMs);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return true;
      throw error;
    }
    const holder = await readHolder(lockPath);
    const dead = holder !== null && holder.hostname === self.hostname && !isAlive(holder.pid);
    if (!dead && Date.now() - mtimeMs <= staleMs) return false;
    const aside = `${lockPath}.${randomUUID()}.stale`;
    try {
      await rename(lockPath, aside);
    } catch (error) {
      if (errorCode(error) === "ENOENT") return true;
      throw error;
    }
    const moved = await stat(aside, { bigint: true });
    if (moved.ino !== observed) {
      // A fresh lock was taken after we looked: give it back, unless yet another exists.
      await link(aside, lockPath).catch(() => undefined);
    }
    await unlink(aside).catch(() => undefined);
    return true;
  }

  async function release(lockPath: string, ino: bigint): Promise<void> {
    try {
      // Only our own file: if we were judged stale, the file there now is someone else's.
      if ((await stat(lockPath, { bigint: true })).ino === ino) await unlink(lockPath);
    } catch (error) {
      if (errorCode(error) !== "ENOENT") throw error;
    }
  }

  return {
    async withLock<T>(lockPath: string, run: () => Promise<T>): Promise<T> {
      const previous = queues.get(lockPath) ?? Promise.resolve();
      let done!: () => void;
      const turn = new Promise<void>((resolve) => {
        done = resolve;
      });
      const tail = previous.then(() => turn);
      queues.set(lockPath, tail);
      await previous;
      try {
        const ino = await acquire(lockPath);
        try {
          return await run();
        } finally {
          await release(lockPath, ino);
        }
      } finally {
        done();
        if (queues.get(lockPath) === tail) queues.delete(lockPath);
      }
    },
  };
}
