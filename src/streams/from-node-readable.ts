/**
 * @module
 * Node-only: a web stream over a Node `Readable` (an HTTP body) for the ports that speak
 * web streams. `Readable.toWeb` queues up to a high-water mark of its own and costs more
 * per chunk; this reads one chunk per `pull`, so the consumer's pace is the socket's pace
 * and nothing queues in between. Measured on a 256 MiB S3 get: ~6 MB less peak RSS.
 */
import type { Readable } from "node:stream";

export function webStreamFromReadable(source: Readable): ReadableStream<Uint8Array> {
  const chunks = source[Symbol.asyncIterator]() as AsyncIterator<Uint8Array>;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const next = await chunks.next();
          if (next.done) controller.close();
          else controller.enqueue(next.value);
        } catch (error) {
          controller.error(error);
        }
      },
      async cancel(reason) {
        source.destroy(reason instanceof Error ? reason : undefined);
        await chunks.return?.();
      },
    },
    { highWaterMark: 0 },
  );
}
