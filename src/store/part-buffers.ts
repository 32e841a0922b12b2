/**
 * Multipart part buffers shared by every put of one store, so the memory they take is
 * bounded per store rather than per put: a sync copies 8 tarballs at once, and with a pair
 * of 5 MiB buffers per put an S3 sync held 80 MiB of them. When all are taken, a put waits
 * for one — its upstream read pauses meanwhile, which the upstream's idle clock does not
 * count — and a part that finishes uploading hands its buffer straight to a waiter.
 *
 * A put never waits while holding a buffer it is still filling: every buffer taken is being
 * filled from a body that keeps flowing or is in an upload that ends, so the pool cannot
 * deadlock. Once no put holds a buffer, the free ones are let go, so an idle server keeps
 * none.
 */
export interface PartBuffers {
  readonly partSize: number;
  /** A buffer of `partSize` bytes, once one is free. Contents are stale. */
  acquire(): Promise<Uint8Array>;
  /** Gives back a buffer `acquire` returned; the caller must not touch it afterwards. */
  release(buffer: Uint8Array): void;
}

export function createPartBuffers(partSize: number, maxBuffers: number): PartBuffers {
  if (!Number.isSafeInteger(partSize) || partSize < 1) {
    throw new TypeError(
      `[streamgate] Expected \`partSize\` to be a positive integer, got ${partSize}`,
    );
  }
  if (!Number.isSafeInteger(maxBuffers) || maxBuffers < 1) {
    throw new TypeError(
      `[streamgate] Expected \`maxBuffers\` to be a positive integer, got ${maxBuffers}`,
    );
  }
  const free: Uint8Array[] = [];
  const waiting: ((buffer: Uint8Array) => void)[] = [];
  let allocated = 0;
  // Buffers handed out or waited for.
  let held = 0;

  return {
    partSize,
    acquire() {
      held++;
      const reused = free.pop();
      if (reused !== undefined) return Promise.resolve(reused);
      if (allocated < maxBuffers) {
        allocated++;
        return Promise.resolve(new Uint8Array(partSize));
      }
      return new Promise((resolve) => waiting.push(resolve));
    },
    release(buffer) {
      held--;
      const next = waiting.shift();
      if (next !== undefined) next(buffer);
      else if (held > 0) free.push(buffer);
      else {
        free.length = 0;
        allocated = 0;
      }
    },
  };
}
