import pLimit from "p-limit";
import { IntegrityError, StoreError } from "../store/errors.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { type Upstream, UpstreamError } from "../upstream/index.ts";
import type { TarballSpec } from "./build-tree.ts";
import { messageOf, SyncRefusal } from "./errors.ts";
import { agentsKey } from "./layout.ts";
import { sleep as defaultSleep, type Sleep } from "./sleep.ts";

export interface CopyTarballsOptions {
  store: ObjectStore;
  upstream: Upstream;
  /** Tarballs copied at once. */
  concurrency: number;
  /** Stops starting copies and aborts those under way; they are left for the next run. */
  signal?: AbortSignal;
  /**
   * Whole-file retries of a tarball whose body failed mid-way (the transport itself
   * retries only until the headers arrive). Default 3.
   */
  retries?: number;
  /** Wait before the first whole-file retry; doubles for each further one. Default 2 000 ms. */
  retryDelayMs?: number;
  sleep?: Sleep;
  /** Bytes received (negative when a failed attempt's bytes are discounted). */
  onBytes?: (delta: number) => void;
  onCopied?: (tarball: TarballSpec) => void;
  onRetry?: (tarball: TarballSpec, retry: number, error: unknown) => void;
}

export interface CopyTarballsResult {
  copied: TarballSpec[];
  bytes: number;
  retries: number;
  /** Not copied: never started, or aborted under way. */
  remaining: TarballSpec[];
  /** The first failure; copying stopped at it. */
  failure: { tarball: TarballSpec; error: unknown } | undefined;
  /** Stopped by `signal`, not by a failure. */
  aborted: boolean;
}

function upstreamCause(error: unknown): UpstreamError | undefined {
  for (let current = error; current instanceof Error; current = current.cause) {
    if (current instanceof UpstreamError) return current;
  }
  return undefined;
}

function itemsOf(tarball: TarballSpec): string {
  const [first] = tarball.items;
  return tarball.items.length > 1 ? `${first} and ${tarball.items.length - 1} more` : `${first}`;
}

function counting(
  body: ReadableStream<Uint8Array>,
  onChunk: (bytes: number) => void,
): ReadableStream<Uint8Array> {
  return body.pipeThrough(
    new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        onChunk(chunk.byteLength);
        controller.enqueue(chunk);
      },
    }),
  );
}

/**
 * Streams each tarball from upstream into the store with the size and sha256 its signed
 * items claim; the store checks both while writing and keeps nothing that differs, so no
 * tarball is ever buffered whole and none is stored unverified. Stops at the first
 * failure (the run will not publish) and when `signal` aborts (the run resumes later).
 */
export async function copyTarballs(
  tarballs: readonly TarballSpec[],
  options: CopyTarballsOptions,
): Promise<CopyTarballsResult> {
  const { store, upstream, signal, onBytes, onRetry } = options;
  const retries = options.retries ?? 3;
  const retryDelayMs = options.retryDelayMs ?? 2000;
  const sleep = options.sleep ?? defaultSleep;
  const stop = new AbortController();
  const stopOrSignal = signal === undefined ? stop.signal : AbortSignal.any([signal, stop.signal]);
  const limit = pLimit(options.concurrency);
  const copied: TarballSpec[] = [];
  let bytes = 0;
  let retried = 0;
  let failure: CopyTarballsResult["failure"];

  async function copyOne(tarball: TarballSpec): Promise<void> {
    const key = agentsKey(tarball.path);
    for (let attempt = 0; ; attempt++) {
      let received = 0;
      let opened = false;
      try {
        const object = await upstream.openObject(tarball.path, { signal: stopOrSignal });
        opened = true;
        if (object.size !== undefined && object.size !== tarball.size) {
          await object.body.cancel().catch(() => undefined);
          throw new SyncRefusal({
            kind: "tarball",
            path: tarball.path,
            items: tarball.items,
            message: `${tarball.path}: upstream serves ${object.size} bytes, but its signed metadata (${itemsOf(tarball)}) says ${tarball.size}; nothing of it was stored`,
          });
        }
        const body =
          onBytes === undefined
            ? object.body
            : counting(object.body, (chunk) => {
                received += chunk;
                onBytes(chunk);
              });
        await store.put(key, body, { size: tarball.size, sha256: tarball.sha256 });
        bytes += tarball.size;
        return;
      } catch (error) {
        if (received > 0) onBytes?.(-received);
        if (stopOrSignal.aborted) throw stopOrSignal.reason;
        if (error instanceof IntegrityError) {
          throw new SyncRefusal({
            kind: "tarball",
            path: tarball.path,
            items: tarball.items,
            message: `${tarball.path} does not match its signed metadata (${itemsOf(tarball)}): ${messageOf(error).replace(/^.*?: /, "")}; nothing of it was stored`,
          });
        }
        const cause = upstreamCause(error);
        const midway = opened && error instanceof StoreError && cause?.retryable === true;
        if (midway && attempt < retries) {
          retried++;
          onRetry?.(tarball, attempt + 1, error);
          await sleep(retryDelayMs * 2 ** attempt, stopOrSignal);
          continue;
        }
        if (cause !== undefined) {
          const tries = attempt > 0 ? ` (after ${attempt + 1} attempts)` : "";
          throw new SyncRefusal({
            kind: "upstream",
            path: tarball.path,
            items: tarball.items,
            message: `cannot download ${tarball.path}${tries}: ${messageOf(cause)}`,
          });
        }
        throw error;
      }
    }
  }

  await Promise.all(
    tarballs.map((tarball) =>
      limit(async () => {
        if (stopOrSignal.aborted) return;
        try {
          await copyOne(tarball);
          copied.push(tarball);
          options.onCopied?.(tarball);
        } catch (error) {
          // Copies aborted because another failed, or by the signal, are just not done.
          if (stopOrSignal.aborted) return;
          failure = { tarball, error };
          stop.abort(error);
        }
      }),
    ),
  );
  const done = new Set(copied);
  return {
    copied,
    bytes,
    retries: retried,
    remaining: tarballs.filter((tarball) => !done.has(tarball)),
    failure,
    aborted: failure === undefined && signal?.aborted === true,
  };
}
