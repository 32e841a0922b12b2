import type { PutBody, PutOptions } from "./object-store.ts";

const encoder = new TextEncoder();

/**
 * The chunks of a put body, in order. A stream is read through its own reader, and
 * cancelled when the caller stops early (a body longer than its expected `size`), so
 * its source is released.
 */
export async function* readPutBody(body: PutBody): AsyncGenerator<Uint8Array, void, undefined> {
  if (typeof body === "string") {
    yield encoder.encode(body);
    return;
  }
  if (body instanceof Uint8Array) {
    yield body;
    return;
  }
  const reader = body.getReader();
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) {
        done = true;
        return;
      }
      if (!(next.value instanceof Uint8Array)) {
        throw new TypeError(
          `[streamgate] Expected a put body stream to yield Uint8Array chunks, got ${typeof next.value}`,
        );
      }
      yield next.value;
    }
  } finally {
    if (done) reader.releaseLock();
    else await reader.cancel().catch(() => undefined);
  }
}

/** Validates `size` and `sha256` at the door, before any byte is read. */
export function assertPutOptions(options: PutOptions): void {
  if (options.size !== undefined && !(Number.isSafeInteger(options.size) && options.size >= 0)) {
    throw new TypeError(
      `[streamgate] Expected \`size\` to be an integer from 0 and up, got ${options.size}`,
    );
  }
  if (options.sha256 !== undefined && !/^[0-9a-f]{64}$/i.test(options.sha256)) {
    throw new TypeError(
      `[streamgate] Expected \`sha256\` to be 64 hex digits, got ${JSON.stringify(options.sha256)}`,
    );
  }
}

/** Why a body that has reached `seen` bytes already breaks the expected `size`, if it does. */
export function oversizeProblem(options: PutOptions, seen: number): string | undefined {
  return options.size !== undefined && seen > options.size
    ? `expected ${options.size} bytes, got more`
    : undefined;
}

/** Why a whole body of `size` bytes hashing to `sha256` breaks the put's expectations, if it does. */
export function integrityProblem(
  options: PutOptions,
  size: number,
  sha256: string,
): string | undefined {
  if (options.size !== undefined && size !== options.size) {
    return `expected ${options.size} bytes, got ${size}`;
  }
  if (options.sha256 !== undefined && sha256 !== options.sha256.toLowerCase()) {
    return `expected sha256 ${options.sha256.toLowerCase()}, got ${sha256}`;
  }
  return undefined;
}

/** Lowercase hex of a digest. */
export function toHex(bytes: ArrayBuffer | Uint8Array): string {
  const view = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let hex = "";
  for (const byte of view) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
