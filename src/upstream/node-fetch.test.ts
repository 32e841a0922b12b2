import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { brotliCompressSync, deflateSync, gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { UpstreamError } from "./errors.ts";
import { createHttpTransport } from "./http-transport.ts";
import { createNodeFetch } from "./node-fetch.ts";

type Handler = (request: IncomingMessage, response: ServerResponse) => void;

const routes = new Map<string, Handler>();
const seen: IncomingMessage[] = [];
const sockets = new Set<Socket>();
let server: Server;
let base = "";

function route(path: string, handler: Handler): string {
  routes.set(path, handler);
  return `${base}${path}`;
}

beforeAll(async () => {
  server = createServer((request, response) => {
    seen.push(request);
    const handler = routes.get(request.url ?? "");
    if (handler === undefined) {
      response.writeHead(404).end("no route");
      return;
    }
    handler(request, response);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

const nodeFetch = createNodeFetch();
const get = (url: string, init: RequestInit = {}) =>
  nodeFetch(url, { redirect: "manual", ...init });

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (reason: unknown) => reason,
  );
}

describe("createNodeFetch", () => {
  it("answers status, headers and the body, sending the caller's headers and asking for compression", async () => {
    const url = route("/plain", (request, response) => {
      response.writeHead(200, "Fine", { "x-echo": request.headers["user-agent"] ?? "" });
      response.end(`accept-encoding=${request.headers["accept-encoding"]}`);
    });
    const response = await get(url, { headers: { "user-agent": "streamgate-test" } });
    expect(response.status).toBe(200);
    expect(response.statusText).toBe("Fine");
    expect(response.headers.get("x-echo")).toBe("streamgate-test");
    expect(await response.text()).toBe("accept-encoding=gzip, deflate, br");
  });

  it.each([
    ["gzip", gzipSync],
    ["deflate", deflateSync],
    ["br", brotliCompressSync],
  ] as const)("decodes a %s body as fetch does", async (coding, compress) => {
    const text = "metadata ".repeat(1000);
    const url = route(`/coded-${coding}`, (_, response) => {
      response.writeHead(200, { "content-encoding": coding }).end(compress(text));
    });
    expect(await (await get(url)).text()).toBe(text);
  });

  it("undoes stacked codings, the last applied first", async () => {
    const url = route("/stacked", (_, response) => {
      const twice = brotliCompressSync(gzipSync("inner"));
      response.writeHead(200, { "content-encoding": "gzip, br" }).end(twice);
    });
    expect(await (await get(url)).text()).toBe("inner");
  });

  it("leaves the bytes alone when the caller asks for identity and the server obliges", async () => {
    const bytes = gzipSync("a tarball is already compressed");
    const url = route("/identity", (request, response) => {
      response.writeHead(200, { "content-length": String(bytes.byteLength) });
      response.end(request.headers["accept-encoding"] === "identity" ? bytes : "wrong");
    });
    const response = await get(url, { headers: { "accept-encoding": "identity" } });
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(new Uint8Array(bytes));
  });

  it("errors the body of a corrupt gzip answer", async () => {
    const url = route("/corrupt", (_, response) => {
      response.writeHead(200, { "content-encoding": "gzip" }).end("not gzip at all");
    });
    const response = await get(url);
    await expect(response.text()).rejects.toThrow(/incorrect header check|unexpected end/i);
  });

  it("returns redirects instead of following them", async () => {
    const url = route("/moved", (_, response) => {
      response.writeHead(302, { location: "/elsewhere" }).end();
    });
    const response = await get(url);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("/elsewhere");
  });

  it("gives no body for 204, 304 and HEAD", async () => {
    const empty = route("/empty", (_, response) => response.writeHead(204).end());
    const unchanged = route("/unchanged", (_, response) => response.writeHead(304).end());
    const headed = route("/headed", (_, response) => response.writeHead(200).end("body"));
    expect((await get(empty)).body).toBeNull();
    expect((await get(unchanged)).body).toBeNull();
    expect((await get(headed, { method: "HEAD" })).body).toBeNull();
  });

  it("fails like fetch when nothing listens", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const error = await rejection(get(`http://127.0.0.1:${port}/`));
    expect(error).toBeInstanceOf(TypeError);
    expect((error as TypeError).message).toBe("fetch failed");
    expect(((error as TypeError).cause as NodeJS.ErrnoException).code).toBe("ECONNREFUSED");
  });

  it("rejects with the signal's reason when aborted before the headers", async () => {
    const url = route("/silent", () => undefined);
    const controller = new AbortController();
    const pending = get(url, { signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop waiting")), 20);
    expect(await rejection(pending)).toEqual(new Error("stop waiting"));
    const already = await rejection(get(url, { signal: AbortSignal.abort(new Error("early")) }));
    expect(already).toEqual(new Error("early"));
  });

  it("errors the body with the signal's reason when aborted mid-body", async () => {
    const url = route("/dribble", (_, response) => {
      response.writeHead(200, { "content-length": "1000" });
      response.write("x".repeat(10));
    });
    const controller = new AbortController();
    const response = await get(url, { signal: controller.signal });
    const reading = response.text();
    setTimeout(() => controller.abort(new Error("cancelled by the sync")), 20);
    await expect(reading).rejects.toThrow("cancelled by the sync");
  });

  it("errors the body when the connection drops before Content-Length bytes came", async () => {
    const url = route("/truncated", (_, response) => {
      response.writeHead(200, { "content-length": "1000" });
      response.write("x".repeat(10), () => setTimeout(() => response.socket?.destroy(), 10));
    });
    const response = await get(url);
    await expect(response.text()).rejects.toThrow(/aborted|closed|terminated/i);
  });

  it("closes the connection when the body is cancelled", async () => {
    let closed!: () => void;
    const gone = new Promise<void>((resolve) => {
      closed = resolve;
    });
    const url = route("/endless", (request, response) => {
      request.socket.once("close", closed);
      response.writeHead(200);
      const timer = setInterval(() => response.write("tick"), 5);
      response.once("close", () => clearInterval(timer));
    });
    const response = await get(url);
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    await reader.cancel();
    await gone;
  });

  it("reuses one kept-alive connection for requests one after another", async () => {
    const url = route("/again", (_, response) => response.end("ok"));
    const before = seen.length;
    for (let index = 0; index < 3; index++) await (await get(url)).text();
    const connections = new Set(seen.slice(before).map((request) => request.socket));
    expect(connections.size).toBe(1);
  });

  it.each<[string, RequestInit, RegExp]>([
    ["a method with a body", { method: "POST", body: "x" }, /GET and HEAD without a body/],
    ["followed redirects", { redirect: "follow" }, /redirect: "manual"/],
  ])("refuses %s", async (_, init, message) => {
    await expect(nodeFetch(`${base}/plain`, init)).rejects.toThrow(message);
  });
});

describe("createHttpTransport over createNodeFetch", () => {
  const transport = () =>
    createHttpTransport({ fetch: nodeFetch, idleTimeoutMs: 200, timeoutMs: 200, retries: 0 });

  it("follows a same-origin redirect and sends credentials as Basic auth on every hop", async () => {
    route("/real/file", (request, response) => {
      response.end(request.headers.authorization ?? "none");
    });
    route("/old/file", (_, response) => {
      response.writeHead(301, { location: "/real/file" }).end();
    });
    const withCredentials = `${base.replace("http://", "http://mirror:s%40cret@")}/old/file`;
    const bytes = await transport().read(withCredentials);
    expect(new TextDecoder().decode(bytes)).toBe(
      `Basic ${Buffer.from("mirror:s@cret").toString("base64")}`,
    );
  });

  it("reports a body that stalls as a timeout, naming the bytes that came", async () => {
    const url = route("/stall", (_, response) => {
      response.writeHead(200, { "content-length": "100" });
      response.write("12345");
    });
    const object = await transport().open(url);
    const error = await rejection(new Response(object.body).arrayBuffer());
    expect(error).toBeInstanceOf(UpstreamError);
    expect((error as UpstreamError).reason).toBe("timeout");
    expect((error as UpstreamError).message).toMatch(
      /stalled: no data for 200 ms .* after 5 bytes/,
    );
  });

  it("reports missing headers as a timeout and a refused port as a network failure", async () => {
    const silent = route("/no-headers", () => undefined);
    const slow = (await rejection(transport().read(silent))) as UpstreamError;
    expect(slow.reason).toBe("timeout");
    const refused = (await rejection(
      transport().read("http://127.0.0.1:1/streams/v1/index2.sjson"),
    )) as UpstreamError;
    expect(refused.reason).toBe("network");
    expect(refused.message).toMatch(/cannot reach .*: fetch failed: ECONNREFUSED/);
  });

  it("takes a tarball's size from Content-Length and streams it whole", async () => {
    const payload = new Uint8Array(3 * 1024 * 1024).map((_, index) => index % 251);
    const url = route("/agent.tgz", (request, response) => {
      expect(request.headers["accept-encoding"]).toBe("identity");
      response.writeHead(200, { "content-length": String(payload.byteLength) }).end(payload);
    });
    const object = await transport().open(url);
    expect(object.size).toBe(payload.byteLength);
    expect(new Uint8Array(await new Response(object.body).arrayBuffer())).toEqual(payload);
  });
});
