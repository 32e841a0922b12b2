import { createHash } from "node:crypto";

export interface Digest {
  size: number;
  sha256: string;
}

/** Why `actual` is not `expected`, or `undefined` when they agree. */
export function digestProblem(expected: Digest, actual: Digest): string | undefined {
  if (actual.size !== expected.size) return `expected ${expected.size} bytes, got ${actual.size}`;
  if (actual.sha256 !== expected.sha256) {
    return `expected sha256 ${expected.sha256}, got ${actual.sha256}`;
  }
  return undefined;
}

/** Size and sha256 of a whole body, read chunk by chunk. */
export async function digestOf(body: AsyncIterable<Uint8Array>): Promise<Digest> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { size, sha256: hash.digest("hex") };
}

/**
 * Passes `body` through unchanged while hashing it, and throws `fail(problem)` instead of
 * ending when the bytes are not `expected` — so a consumer that finishes its work only
 * when the iteration ends (closing a tar entry) never finishes with wrong bytes.
 */
export async function* checkedBytes(
  body: AsyncIterable<Uint8Array>,
  expected: Digest,
  fail: (problem: string) => Error,
): AsyncGenerator<Uint8Array, void, undefined> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > expected.size) throw fail(`expected ${expected.size} bytes, got more`);
    hash.update(chunk);
    yield chunk;
  }
  const problem = digestProblem(expected, { size, sha256: hash.digest("hex") });
  if (problem !== undefined) throw fail(problem);
}

/**
 * A web stream over an async iterable, pulled one chunk at a time (no read-ahead), so the
 * store reading it sets the pace. Cancelling it ends the iteration.
 */
export function toWebStream(source: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const iterator = source[Symbol.asyncIterator]();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await iterator.next();
        if (next.done) controller.close();
        else controller.enqueue(next.value);
      },
      async cancel() {
        await iterator.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
