import { concatBytes } from "../core/index.ts";

/**
 * Reads a whole stream, but stops (and cancels the stream) as soon as it holds more than
 * `maxBytes`, so an oversized or endless body never sits in memory. `tooLarge` builds the
 * error thrown then, from the byte count read so far.
 */
export async function readBounded(
  body: ReadableStream<Uint8Array>,
  maxBytes: number,
  tooLarge: (bytesRead: number) => Error,
): Promise<Uint8Array> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      const error = tooLarge(total);
      await reader.cancel(error).catch(() => undefined);
      throw error;
    }
    chunks.push(value);
  }
  if (chunks.length === 1 && chunks[0] !== undefined) return chunks[0];
  return concatBytes(chunks, total);
}

/** `64 MiB`, `512 KiB`, `1200 B`: sizes as operators read them in error messages. */
export function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1 && value % 1024 === 0) {
    value /= 1024;
    unit++;
  }
  return `${value} ${units[unit]}`;
}
