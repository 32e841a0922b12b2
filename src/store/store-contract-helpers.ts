import { concatBytes } from "../core/index.ts";
/**
 * Data helpers of the store contract suite. Web-standard only (web streams, Web Crypto,
 * TextEncoder), because the suite also runs inside workerd against R2.
 */
import { createSha256 } from "./incremental-sha256.ts";
import type { ObjectInfo } from "./object-store.ts";

/** Pattern objects are made of chunks of this size, each generated from (seed, index). */
export const PATTERN_CHUNK = 256 * 1024;

/** One chunk of a pattern object: xorshift32 output, so every byte value appears. */
function patternChunk(seed: number, index: number, length: number): Uint8Array<ArrayBuffer> {
  const words = new Uint32Array(Math.ceil(length / 4));
  let x = (Math.imul(seed + 1, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0 || 1;
  for (let at = 0; at < words.length; at++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    words[at] = x >>> 0;
  }
  return new Uint8Array(words.buffer, 0, length);
}

/** `length` bytes of the pattern object `seed` from `offset`, without building the rest. */
export function patternRange(
  seed: number,
  offset: number,
  length: number,
): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(length);
  let written = 0;
  while (written < length) {
    const position = offset + written;
    const index = Math.floor(position / PATTERN_CHUNK);
    const chunk = patternChunk(seed, index, PATTERN_CHUNK);
    const from = position - index * PATTERN_CHUNK;
    const take = Math.min(PATTERN_CHUNK - from, length - written);
    bytes.set(chunk.subarray(from, from + take), written);
    written += take;
  }
  return bytes;
}

/** A whole pattern object; distinct seeds give distinct bytes. */
export function patternBytes(size: number, seed: number): Uint8Array<ArrayBuffer> {
  return patternRange(seed, 0, size);
}

/**
 * A pattern object generated while it is read, never held whole. `onChunk` sees every
 * chunk (to hash it, or to sample memory).
 */
export function patternStream(
  size: number,
  seed: number,
  onChunk: (chunk: Uint8Array) => void = () => undefined,
): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const offset = index * PATTERN_CHUNK;
        if (offset >= size) {
          controller.close();
          return;
        }
        const chunk = patternChunk(seed, index, Math.min(PATTERN_CHUNK, size - offset));
        index++;
        onChunk(chunk);
        controller.enqueue(chunk);
      },
    },
    { highWaterMark: 0 },
  );
}

export function streamOf(chunks: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk === undefined) controller.close();
      else controller.enqueue(chunk.slice());
    },
  });
}

/** A stream that gives `chunks`, then fails with `error`. */
export function failingStream(
  chunks: readonly Uint8Array[],
  error: Error,
): ReadableStream<Uint8Array> {
  let index = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const chunk = chunks[index++];
      if (chunk === undefined) controller.error(error);
      else controller.enqueue(chunk.slice());
    },
  });
}

export interface GatedStream {
  stream: ReadableStream<Uint8Array>;
  /** Resolves once the reader has taken every chunk before the gate and asks for more. */
  reached: Promise<void>;
  /** Lets the rest of the chunks through. */
  open(): void;
}

/** A stream that stops before chunk `gate` until `open()`: a put caught half-way. */
export function gatedStream(chunks: readonly Uint8Array[], gate: number): GatedStream {
  let index = 0;
  let signalReached!: () => void;
  let open!: () => void;
  const reached = new Promise<void>((resolve) => {
    signalReached = resolve;
  });
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  const stream = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        if (index === gate) {
          signalReached();
          await opened;
        }
        const chunk = chunks[index++];
        if (chunk === undefined) controller.close();
        else controller.enqueue(chunk.slice());
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, reached, open };
}

export async function readBytes(
  stream: ReadableStream<Uint8Array>,
): Promise<Uint8Array<ArrayBuffer>> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  return concatBytes(chunks, size);
}

export async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder().decode(await readBytes(stream));
}

export async function sha256Hex(data: Uint8Array<ArrayBuffer> | string): Promise<string> {
  const bytes = typeof data === "string" ? new TextEncoder().encode(data) : data;
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** Size and sha256 of a stream read to the end without holding it. */
export async function hashStream(
  stream: ReadableStream<Uint8Array>,
  onChunk: (chunk: Uint8Array) => void = () => undefined,
): Promise<{ size: number; sha256: string }> {
  const hash = createSha256();
  let size = 0;
  const reader = stream.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    hash.update(value);
    size += value.byteLength;
    onChunk(value);
  }
  return { size, sha256: hash.digestHex() };
}

export async function collect(listing: AsyncIterable<ObjectInfo>): Promise<ObjectInfo[]> {
  const infos: ObjectInfo[] = [];
  for await (const info of listing) infos.push(info);
  return infos;
}

/** Runs `run` over `items`, at most `limit` at a time. */
export async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  run: (item: T) => Promise<unknown>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await run(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
