/**
 * @module
 * A loopback HTTP server for upstream tests: serves a directory under `/juju/tools/` like
 * streams.canonical.com does (200 with Content-Length, real 404s), records every request,
 * and lets a test replace the answer for one path to seed a fault.
 */
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

/** `serveFile` answers as if there were no override. */
export type Handler = (
  request: IncomingMessage,
  response: ServerResponse,
  serveFile: () => void,
) => void;

export interface TreeServer {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** `http://127.0.0.1:PORT/juju/tools`: the upstream base. */
  base: string;
  /** Paths requested, relative to the base, in order. */
  requests: string[];
  /** Answers requests for `path` (relative to the base) with `handler` instead of the file. */
  override(path: string, handler: Handler): void;
  close(): Promise<void>;
}

const PREFIX = "/juju/tools/";

export async function serveTree(root: string): Promise<TreeServer> {
  const overrides = new Map<string, Handler>();
  const requests: string[] = [];
  const server = createServer((request, response) => {
    const url = request.url ?? "/";
    const path = url.startsWith(PREFIX) ? url.slice(PREFIX.length) : url;
    requests.push(path);
    const serve = () => serveFile(join(root, decodeURIComponent(path)), response);
    const handler = overrides.get(path);
    if (handler) handler(request, response, serve);
    else serve();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    base: `${origin}/juju/tools`,
    requests,
    override(path, handler) {
      overrides.set(path, handler);
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

function serveFile(file: string, response: ServerResponse): void {
  stat(file).then(
    (info) => {
      if (!info.isFile()) {
        response.writeHead(404).end("not found\n");
        return;
      }
      response.writeHead(200, { "content-length": info.size });
      createReadStream(file).pipe(response);
    },
    () => {
      response.writeHead(404).end("not found\n");
    },
  );
}

/** Answers `status` to the first `count` requests, then serves the file. */
export function failTimes(count: number, status: number): Handler {
  let failures = 0;
  return (_request, response, serve) => {
    if (failures >= count) {
      serve();
      return;
    }
    failures++;
    response.writeHead(status).end(`failure ${failures}\n`);
  };
}

/** Sends headers and the first `bytes` bytes of the file, then nothing, ever. */
export function stallAfter(root: string, path: string, bytes: number): Handler {
  return (_request, response) => {
    stat(join(root, path)).then((info) => {
      response.writeHead(200, { "content-length": info.size });
      const head = createReadStream(join(root, path), { start: 0, end: bytes - 1 });
      head.on("data", (chunk) => response.write(chunk));
    });
  };
}
