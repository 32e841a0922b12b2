/**
 * @module
 * A loopback HTTP proxy in front of Swift's s3api that injects store faults on command:
 * every request answered 500 or 403 with an S3 error document, or one chosen request held
 * forever (so a sync can be killed right before that write reaches the store). When Swift
 * itself is down, the client's connection is dropped, as a dead endpoint would.
 */
import {
  createServer,
  request as forward,
  type IncomingMessage,
  type ServerResponse,
} from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface S3Request {
  method: string;
  /** Object key without the bucket (`undefined` for bucket-level calls). */
  key: string | undefined;
  /** The raw query, without `?`. */
  query: string;
  /** Body of a `POST ?delete` (DeleteObjects), read to decide on holds. */
  body: string;
}

export type InjectedStatus = 403 | 500;

export interface FaultProxy {
  /** `http://127.0.0.1:PORT`: use as the store's endpoint. */
  endpoint: string;
  /** Answers every request with `status` until called with `undefined`. */
  fail(status: InjectedStatus | undefined): void;
  /** Holds the first request `match` accepts: it never reaches Swift and is never answered. */
  hold(match: (request: S3Request) => boolean): Promise<S3Request>;
  /** Forgets holds that matched nothing yet. */
  cancelHolds(): void;
  /** Sees every request before it is forwarded, failed or held. */
  onRequest(listener: (request: S3Request) => void): () => void;
  readonly counts: { forwarded: number; injected: number; held: number; dropped: number };
  close(): Promise<void>;
}

const ERRORS: Record<InjectedStatus, { code: string; message: string }> = {
  403: { code: "AccessDenied", message: "Access Denied" },
  500: { code: "InternalError", message: "We encountered an internal error. Please try again." },
};

function parseS3Request(request: IncomingMessage, body: string): S3Request {
  const url = request.url ?? "/";
  const mark = url.indexOf("?");
  const path = mark === -1 ? url : url.slice(0, mark);
  const slash = path.indexOf("/", 1);
  const key = slash === -1 || slash === path.length - 1 ? undefined : path.slice(slash + 1);
  return {
    method: request.method ?? "GET",
    key: key === undefined ? undefined : decodeURIComponent(key),
    query: mark === -1 ? "" : url.slice(mark + 1),
    body,
  };
}

function isDeleteObjects(request: IncomingMessage): boolean {
  return request.method === "POST" && /[?&]delete(?:=|&|$)/.test(request.url ?? "");
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  const { hostname, port } = new URL(target);
  let injected: InjectedStatus | undefined;
  const holds: { match: (request: S3Request) => boolean; resolve: (r: S3Request) => void }[] = [];
  const listeners = new Set<(request: S3Request) => void>();
  const sockets = new Set<Socket>();
  const counts = { forwarded: 0, injected: 0, held: 0, dropped: 0 };

  function answerFault(request: IncomingMessage, response: ServerResponse, status: InjectedStatus) {
    counts.injected++;
    const error = ERRORS[status];
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${error.message}</Message><RequestId>reliability-fault</RequestId></Error>`;
    response.writeHead(status, {
      "content-type": "application/xml",
      "content-length": request.method === "HEAD" ? 0 : Buffer.byteLength(xml),
    });
    response.end(request.method === "HEAD" ? undefined : xml);
  }

  function pass(request: IncomingMessage, response: ServerResponse, body: Buffer | undefined) {
    counts.forwarded++;
    const outgoing = forward(
      { host: hostname, port, method: request.method, path: request.url, headers: request.headers },
      (answer) => {
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    outgoing.on("error", () => {
      counts.dropped++;
      request.socket.destroy();
    });
    if (body === undefined) request.pipe(outgoing);
    else outgoing.end(body);
  }

  function handle(request: IncomingMessage, response: ServerResponse, body: Buffer | undefined) {
    const seen = parseS3Request(request, body?.toString("utf8") ?? "");
    for (const listener of listeners) listener(seen);
    const holding = holds.findIndex((candidate) => candidate.match(seen));
    if (holding !== -1) {
      const [found] = holds.splice(holding, 1);
      counts.held++;
      request.resume();
      found?.resolve(seen);
      return;
    }
    if (injected !== undefined) {
      request.resume();
      answerFault(request, response, injected);
      return;
    }
    pass(request, response, body);
  }

  const server = createServer((request, response) => {
    if (!isDeleteObjects(request)) {
      handle(request, response, undefined);
      return;
    }
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => handle(request, response, Buffer.concat(chunks)));
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    fail(status) {
      injected = status;
    },
    hold(match) {
      return new Promise((resolve) => holds.push({ match, resolve }));
    },
    cancelHolds() {
      holds.length = 0;
    },
    onRequest(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    counts,
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}
