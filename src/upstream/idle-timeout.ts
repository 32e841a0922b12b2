export interface IdleTimeoutOptions {
  /** Longest wait for the next chunk while the consumer is waiting for it. */
  idleTimeoutMs: number;
  /** Builds the error the stream fails with, from the bytes delivered so far. */
  onIdle: (bytesRead: number) => Error;
  /** Turns a failure of the source into the error the stream fails with. Default: as is. */
  mapError?: (error: unknown, bytesRead: number) => unknown;
  /** Called once when the source is finished with: ended, failed, stalled or cancelled. */
  onSettled?: () => void;
}

/**
 * Wraps a body so that it fails when the upstream stops sending: a header timeout alone
 * lets a connection that delivered its headers hang forever. The clock runs only while a
 * reader waits (the wrapper pulls on demand), so a slow consumer — a store applying
 * back-pressure — is never mistaken for a stalled upstream.
 */
export function withIdleTimeout(
  source: ReadableStream<Uint8Array>,
  options: IdleTimeoutOptions,
): ReadableStream<Uint8Array> {
  const reader = source.getReader();
  let bytesRead = 0;
  let settled = false;
  const settle = () => {
    if (settled) return;
    settled = true;
    options.onSettled?.();
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let timer: ReturnType<typeof setTimeout> | undefined;
        const idle = new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(options.onIdle(bytesRead)), options.idleTimeoutMs);
        });
        try {
          const result = await Promise.race([reader.read(), idle]);
          if (result.done) {
            settle();
            controller.close();
            return;
          }
          bytesRead += result.value.byteLength;
          controller.enqueue(result.value);
        } catch (error) {
          settle();
          const failure = options.mapError ? options.mapError(error, bytesRead) : error;
          reader.cancel(failure).catch(() => undefined);
          controller.error(failure);
        } finally {
          clearTimeout(timer);
        }
      },
      async cancel(reason) {
        settle();
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
