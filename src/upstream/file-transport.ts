/**
 * @module
 * Node-only transport for `file://` upstream trees (a local mirror, an unpacked bundle, the
 * test fixture tree). Deliberately not re-exported from `./index.ts`, which stays
 * runnable in Workers.
 */
import { type FileHandle, open } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { UpstreamError } from "./errors.ts";
import { formatBytes, readBounded } from "./read-bounded.ts";
import {
  DEFAULT_MAX_METADATA_BYTES,
  type TransportRequestOptions,
  type UpstreamObject,
  type UpstreamTransport,
} from "./transport.ts";

export interface FileTransportOptions {
  /** Largest metadata file `read` accepts, enforced while reading. Default 64 MiB. */
  maxMetadataBytes?: number;
}

const MISSING_CODES: ReadonlySet<string> = new Set(["ENOENT", "ENOTDIR"]);

function toPath(url: string): string {
  if (!url.startsWith("file:")) {
    throw new TypeError(
      `[streamgate] [upstream] the file transport reads file:// URLs only, got ${JSON.stringify(url)}; use createHttpTransport() for http(s)://`,
    );
  }
  return fileURLToPath(url);
}

function failure(url: string, error: unknown): UpstreamError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined && MISSING_CODES.has(code)) {
    return new UpstreamError(`not found: ${url} (${code})`, {
      url,
      reason: "not-found",
      cause: error,
    });
  }
  return new UpstreamError(`cannot read ${url}: ${(error as Error).message}`, {
    url,
    reason: "network",
    cause: error,
  });
}

// Large enough that a 64 MiB benchmark tarball takes few reads, small enough to stay off
// the big-allocation path.
const CHUNK_BYTES = 128 * 1024;

async function openFile(
  url: string,
  signal: AbortSignal | undefined,
): Promise<{ body: ReadableStream<Uint8Array>; size: number }> {
  signal?.throwIfAborted();
  let handle: FileHandle | undefined;
  let size: number;
  try {
    handle = await open(toPath(url), "r");
    const info = await handle.stat();
    if (!info.isFile()) {
      throw Object.assign(new Error("not a regular file"), { code: "ENOENT" });
    }
    size = info.size;
  } catch (error) {
    await handle?.close().catch(() => undefined);
    throw error instanceof TypeError ? error : failure(url, error);
  }
  const file = handle;
  const body = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          signal?.throwIfAborted();
          const buffer = new Uint8Array(CHUNK_BYTES);
          const { bytesRead } = await file.read(buffer, 0, CHUNK_BYTES, null);
          if (bytesRead === 0) {
            await file.close();
            controller.close();
            return;
          }
          controller.enqueue(buffer.subarray(0, bytesRead));
        } catch (error) {
          await file.close().catch(() => undefined);
          controller.error(signal?.aborted ? signal.reason : failure(url, error));
        }
      },
      async cancel() {
        await file.close();
      },
    },
    { highWaterMark: 0 },
  );
  return { body, size };
}

/** A transport reading `file://` URLs from the local filesystem. Missing files are `not-found`. */
export function createFileTransport(options: FileTransportOptions = {}): UpstreamTransport {
  const { maxMetadataBytes = DEFAULT_MAX_METADATA_BYTES } = options;
  if (!Number.isSafeInteger(maxMetadataBytes) || maxMetadataBytes < 1) {
    throw new TypeError(
      `Expected \`maxMetadataBytes\` to be an integer from 1 and up, got ${maxMetadataBytes}`,
    );
  }
  return {
    read: async function readFileUrl(url: string, requestOptions: TransportRequestOptions = {}) {
      const { body, size } = await openFile(url, requestOptions.signal);
      const tooLarge = (bytes: number) =>
        new UpstreamError(
          `${url} is larger than the ${formatBytes(maxMetadataBytes)} allowed for a metadata file (maxMetadataBytes): ${bytes} bytes`,
          { url, reason: "too-large" },
        );
      if (size > maxMetadataBytes) {
        await body.cancel();
        throw tooLarge(size);
      }
      return readBounded(body, maxMetadataBytes, tooLarge);
    },
    open: async function openFileUrl(
      url: string,
      requestOptions: TransportRequestOptions = {},
    ): Promise<UpstreamObject> {
      const { body, size } = await openFile(url, requestOptions.signal);
      return { url, body, size };
    },
  };
}
