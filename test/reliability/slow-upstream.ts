/**
 * @module
 * A loopback upstream (test/upstream/serve-tree.ts) whose tarballs trickle out in small
 * chunks with a pause between them, so a kill can land in the middle of a download. It
 * counts the tarball bytes it sent and tells listeners about every request.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import type { UpstreamFixture } from "../../scripts/make-upstream.ts";
import { type Handler, serveTree, type TreeServer } from "../upstream/serve-tree.ts";

export interface SlowUpstreamOptions {
  /** Bytes per chunk. Default 32 KiB. */
  chunkBytes?: number;
  /** Pause after each chunk. Default 10 ms. */
  delayMs?: number;
}

export interface SlowUpstream {
  server: TreeServer;
  /** `http://127.0.0.1:PORT/juju/tools`. */
  base: string;
  /** Tarball bytes sent since the start. */
  tarballBytes(): number;
  /** Called for every request path (relative to the base) and after every tarball chunk. */
  onEvent(listener: (event: UpstreamEvent) => void): () => void;
  /** Throttles the fixture's tarballs (call again after the fixture changed). */
  track(fixture: UpstreamFixture): void;
  close(): Promise<void>;
}

export type UpstreamEvent =
  | { kind: "request"; path: string }
  | { kind: "tarball-bytes"; path: string; total: number };

/** Streams `path` under `root` in paced chunks; `onChunk` sees each one. */
export function pacedFile(
  root: string,
  path: string,
  options: Required<SlowUpstreamOptions>,
  onChunk: (bytes: number) => void,
): Handler {
  return (_request, response) => {
    const file = join(root, path);
    stat(file).then(
      (info) => {
        response.writeHead(200, { "content-length": info.size });
        const stream = createReadStream(file, { highWaterMark: options.chunkBytes });
        response.on("close", () => stream.destroy());
        stream.on("data", (chunk) => {
          stream.pause();
          response.write(chunk);
          onChunk(chunk.length);
          setTimeout(() => stream.resume(), options.delayMs);
        });
        stream.on("end", () => response.end());
        stream.on("error", () => response.destroy());
      },
      () => {
        response.writeHead(404).end("not found\n");
      },
    );
  };
}

export async function serveSlowUpstream(
  fixture: UpstreamFixture,
  options: SlowUpstreamOptions = {},
): Promise<SlowUpstream> {
  const paced = { chunkBytes: options.chunkBytes ?? 32 * 1024, delayMs: options.delayMs ?? 10 };
  const server = await serveTree(fixture.root);
  const listeners = new Set<(event: UpstreamEvent) => void>();
  let total = 0;
  const emit = (event: UpstreamEvent) => {
    for (const listener of listeners) listener(event);
  };
  const tracked = new Set<string>();
  const upstream: SlowUpstream = {
    server,
    base: server.base,
    tarballBytes: () => total,
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    track(current) {
      for (const path of current.files) {
        if (tracked.has(path)) continue;
        tracked.add(path);
        server.override(path, (_request, _response, serveFile) => {
          emit({ kind: "request", path });
          serveFile();
        });
      }
      for (const { path } of current.tarballs) {
        if (tracked.has(path)) continue;
        tracked.add(path);
        const handler = pacedFile(current.root, path, paced, (bytes) => {
          total += bytes;
          emit({ kind: "tarball-bytes", path, total });
        });
        server.override(path, (request, response, serveFile) => {
          emit({ kind: "request", path });
          handler(request, response, serveFile);
        });
      }
    },
    close: () => server.close(),
  };
  upstream.track(fixture);
  return upstream;
}
