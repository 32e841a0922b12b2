import { concatBytes } from "../core/index.ts";

/**
 * Reads a whole body into one array: no copy when it came as a single chunk. For bodies
 * known to be small or about to be cached; a stream that fails fails the read. Stream
 * chunks are never views of a SharedArrayBuffer, hence the narrower return type that
 * `Response` accepts.
 */
export async function readBodyBytes(
  body: ReadableStream<Uint8Array>,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    total += value.byteLength;
  }
  if (chunks.length === 1) return chunks[0] as Uint8Array<ArrayBuffer>;
  return concatBytes(chunks, total);
}
