import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeUpstream, type UpstreamFixture } from "../../scripts/make-upstream.ts";
import { flattenProducts } from "../../src/core/index.ts";
import {
  BadSignatureError,
  clearsign,
  type GeneratedSigningKey,
  JUJU_TOOLS_KEY_FINGERPRINT,
  NotSignedError,
  UnknownKeyError,
} from "../../src/signing/index.ts";
import { generateTestKey } from "../../src/signing/test-support.ts";
import { createFileTransport } from "../../src/upstream/file-transport.ts";
import {
  createHttpTransport,
  createUpstream,
  fetchUpstreamRaw,
  type HttpTransportOptions,
  openUpstreamObject,
  type RetryEvent,
  readUpstreamIndex,
  readUpstreamProducts,
  UpstreamError,
  type UpstreamTransport,
} from "../../src/upstream/index.ts";
import { failTimes, serveTree, stallAfter, type TreeServer } from "./serve-tree.ts";

const RELEASED_AGENTS = "com.ubuntu.juju:released:agents";
const RELEASED_AGENTS_SJSON = "streams/v1/com.ubuntu.juju-released-agents.sjson";
const TARBALL = "agent/3.6.12/juju-3.6.12-linux-amd64.tgz";

let key: GeneratedSigningKey;
let otherKey: GeneratedSigningKey;
const cleanups: (() => Promise<void>)[] = [];

beforeAll(async () => {
  [key, otherKey] = await Promise.all([
    generateTestKey("fixture upstream"),
    generateTestKey("someone else"),
  ]);
});

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function freshTree(): Promise<UpstreamFixture> {
  const dir = await mkdtemp(join(tmpdir(), "streamgate-upstream-"));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return makeUpstream({ out: join(dir, "juju", "tools"), signingKey: key });
}

async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

async function sha256Of(
  body: ReadableStream<Uint8Array>,
): Promise<{ sha256: string; size: number }> {
  const hash = createHash("sha256");
  let size = 0;
  for await (const chunk of body) {
    hash.update(chunk);
    size += chunk.byteLength;
  }
  return { sha256: hash.digest("hex"), size };
}

async function resign(fixture: UpstreamFixture, path: string, text: string, signer = key) {
  await writeFile(join(fixture.root, path), await clearsign(text, signer.privateKey));
}

interface Setup {
  base: string;
  transport(options?: { maxMetadataBytes?: number }): UpstreamTransport;
  /** Requests the upstream saw, when it can tell. */
  requests: string[] | undefined;
}

const transports: { name: string; start(fixture: UpstreamFixture): Promise<Setup> }[] = [
  {
    name: "a loopback HTTP server",
    async start(fixture) {
      const server = await serveTree(fixture.root);
      cleanups.push(server.close);
      return {
        base: server.base,
        transport: (options = {}) => createHttpTransport({ retries: 0, ...options }),
        requests: server.requests,
      };
    },
  },
  {
    name: "file://",
    async start(fixture) {
      return {
        base: fixture.url,
        transport: (options = {}) => createFileTransport(options),
        requests: undefined,
      };
    },
  },
];

describe.each(transports)("reading the upstream over $name", ({ start }) => {
  it("reads the signed index2 and every product file it names, verified with the given key", async () => {
    const fixture = await freshTree();
    const setup = await start(fixture);
    const upstream = createUpstream({
      base: `${setup.base}/`,
      transport: setup.transport(),
      keys: fixture.publicKey,
    });
    const index = await upstream.readIndex();
    expect(index.path).toBe("streams/v1/index2.sjson");
    expect(index.url).toBe(`${setup.base}/streams/v1/index2.sjson`);
    expect(index.signed).toBe(true);
    expect(index.signature).toMatchObject({ keyId: key.keyId, fingerprint: key.fingerprint });
    expect(index.raw).toEqual(
      new Uint8Array(await readFile(join(fixture.root, "streams/v1/index2.sjson"))),
    );
    expect(index.text).toBe(
      (await readFile(join(fixture.root, "streams/v1/index2.json"), "utf8")).replaceAll(
        '.json"',
        '.sjson"',
      ),
    );
    expect(Object.keys(index.document.index).sort()).toEqual(
      Object.keys(fixture.contentIds).sort(),
    );

    for (const [contentId, entry] of Object.entries(index.document.index)) {
      expect(entry.path).toBe(fixture.contentIds[contentId]?.signedPath);
      const products = await upstream.readProducts(entry.path, { contentId });
      expect(products.signed).toBe(true);
      expect(products.document.content_id).toBe(contentId);
      const paths = flattenProducts(products.document).map((item) => item.fields.path);
      const expected = fixture.tarballs.flatMap((tarball) =>
        tarball.items.filter((item) => item.contentId === contentId).map(() => tarball.path),
      );
      expect(paths.sort()).toEqual(expected.sort());
    }
  });

  it("fetches both twins of a product file exactly as served", async () => {
    const fixture = await freshTree();
    const { base, transport } = await start(fixture);
    const content = fixture.contentIds[RELEASED_AGENTS];
    for (const path of [content?.path ?? "", content?.signedPath ?? ""]) {
      const raw = await fetchUpstreamRaw(base, path, { transport: transport() });
      expect(raw).toEqual(new Uint8Array(await readFile(join(fixture.root, path))));
    }
  });

  it("streams a tarball with the size and sha256 the metadata claims", async () => {
    const fixture = await freshTree();
    const { base, transport } = await start(fixture);
    const tarball = fixture.tarballs.find((candidate) => candidate.path === TARBALL);
    const object = await openUpstreamObject(base, TARBALL, { transport: transport() });
    expect(object.url).toBe(`${base}/${TARBALL}`);
    expect(object.size).toBe(tarball?.size);
    expect(await sha256Of(object.body)).toEqual({ sha256: tarball?.sha256, size: tarball?.size });
  });

  it("reports a missing tarball as not found", async () => {
    const fixture = await freshTree();
    const { base, transport } = await start(fixture);
    const error = await rejection(
      openUpstreamObject(base, "agent/9.9.9/juju-9.9.9-linux-amd64.tgz", {
        transport: transport(),
      }),
    );
    expect(error.reason).toBe("not-found");
    expect(error.message).toContain(`${base}/agent/9.9.9/juju-9.9.9-linux-amd64.tgz`);
  });

  it("refuses an index whose signed text was altered", async () => {
    const fixture = await freshTree();
    const { base, transport } = await start(fixture);
    const file = join(fixture.root, "streams/v1/index2.sjson");
    const signed = await readFile(file, "utf8");
    const tampered = signed.replace(
      '"com.ubuntu.juju:ubuntu:s390x"',
      '"com.ubuntu.juju:ubuntu:riscv64"',
    );
    expect(tampered).not.toBe(signed);
    await writeFile(file, tampered);
    const error = await rejection(
      readUpstreamIndex(base, { transport: transport(), keys: fixture.publicKey }),
    );
    expect(error.reason).toBe("signature");
    expect(error.cause).toBeInstanceOf(BadSignatureError);
    expect(error.message).toContain(`${base}/streams/v1/index2.sjson`);
    expect(error.message).toMatch(/altered/);
  });

  it("refuses a product file whose signed item was altered", async () => {
    const fixture = await freshTree();
    const { base, transport } = await start(fixture);
    const file = join(fixture.root, RELEASED_AGENTS_SJSON);
    const tarball = fixture.tarballs.find((candidate) => candidate.path === TARBALL);
    const signed = await readFile(file, "utf8");
    await writeFile(file, signed.replace(tarball?.sha256 ?? "-", "0".repeat(64)));
    const error = await rejection(
      readUpstreamProducts(base, RELEASED_AGENTS_SJSON, {
        transport: transport(),
        keys: fixture.publicKey,
      }),
    );
    expect(error.reason).toBe("signature");
    expect(error.cause).toBeInstanceOf(BadSignatureError);
  });

  it("refuses an index signed by another key, naming both keys", async () => {
    const fixture = await freshTree();
    const { base, transport } = await start(fixture);
    const text = await readFile(join(fixture.root, "streams/v1/index2.json"), "utf8");
    await resign(
      fixture,
      "streams/v1/index2.sjson",
      text.replaceAll('.json"', '.sjson"'),
      otherKey,
    );
    const error = await rejection(
      readUpstreamIndex(base, { transport: transport(), keys: fixture.publicKey }),
    );
    expect(error.reason).toBe("signature");
    expect(error.cause).toBeInstanceOf(UnknownKeyError);
    expect(error.message).toContain(otherKey.keyId);
    expect(error.message).toContain(key.keyId);
    expect(error.message).toContain("--upstream-key");
  });

  it("trusts only Juju's key when no key is given", async () => {
    const fixture = await freshTree();
    const { base, transport } = await start(fixture);
    const error = await rejection(readUpstreamIndex(base, { transport: transport() }));
    expect(error.reason).toBe("signature");
    expect(error.cause).toBeInstanceOf(UnknownKeyError);
    expect(error.message).toContain(JUJU_TOOLS_KEY_FINGERPRINT.slice(-16));
  });

  it("refuses plain JSON served where a signed file was expected", async () => {
    const fixture = await freshTree();
    const { base, transport } = await start(fixture);
    const text = await readFile(join(fixture.root, "streams/v1/index2.json"), "utf8");
    await writeFile(join(fixture.root, "streams/v1/index2.sjson"), text);
    const error = await rejection(
      readUpstreamIndex(base, {
        transport: transport(),
        keys: fixture.publicKey,
        allowUnsigned: true,
      }),
    );
    expect(error.reason).toBe("signature");
    expect(error.cause).toBeInstanceOf(NotSignedError);
    expect(error.message).toContain("signed upstream metadata was expected");
  });

  it("falls back to the legacy index.sjson when index2.sjson is missing", async () => {
    const fixture = await freshTree();
    const { base, transport, requests } = await start(fixture);
    await rm(join(fixture.root, "streams/v1/index2.sjson"));
    const index = await readUpstreamIndex(base, {
      transport: transport(),
      keys: fixture.publicKey,
    });
    expect(index.path).toBe("streams/v1/index.sjson");
    expect(index.signed).toBe(true);
    expect(Object.keys(index.document.index)).toEqual(["com.ubuntu.juju:released:tools"]);
    if (requests) {
      expect(requests).toEqual(["streams/v1/index2.sjson", "streams/v1/index.sjson"]);
    }
  });

  it("refuses an unsigned-only upstream unless unsigned metadata is allowed", async () => {
    const fixture = await freshTree();
    const { base, transport } = await start(fixture);
    await rm(join(fixture.root, "streams/v1/index2.sjson"));
    await rm(join(fixture.root, "streams/v1/index.sjson"));
    const error = await rejection(
      readUpstreamIndex(base, { transport: transport(), keys: fixture.publicKey }),
    );
    expect(error.reason).toBe("signature");
    expect(error.message).toContain(`only the unsigned ${base}/streams/v1/index2.json`);
    expect(error.message).toContain("--allow-unsigned-upstream");

    const index = await readUpstreamIndex(base, {
      transport: transport(),
      keys: fixture.publicKey,
      allowUnsigned: true,
    });
    expect(index).toMatchObject({
      path: "streams/v1/index2.json",
      signed: false,
      signature: undefined,
    });
    const entry = index.document.index[RELEASED_AGENTS];
    expect(entry?.path).toBe("streams/v1/com.ubuntu.juju-released-agents.json");
    const products = await readUpstreamProducts(base, entry?.path ?? "", {
      transport: transport(),
      allowUnsigned: true,
      contentId: RELEASED_AGENTS,
    });
    expect(products.signed).toBe(false);
    expect(products.text).toBe(
      await readFile(join(fixture.root, "streams/v1/com.ubuntu.juju-released-agents.json"), "utf8"),
    );
  });

  it("refuses an unsigned product file without allowUnsigned, before requesting it", async () => {
    const fixture = await freshTree();
    const { base, transport, requests } = await start(fixture);
    const error = await rejection(
      readUpstreamProducts(base, "streams/v1/com.ubuntu.juju-released-agents.json", {
        transport: transport(),
      }),
    );
    expect(error.reason).toBe("signature");
    if (requests) expect(requests).toEqual([]);
  });

  it("says which files it looked for when the tree has no index at all", async () => {
    const fixture = await freshTree();
    const { base, transport } = await start(fixture);
    await rm(join(fixture.root, "streams"), { recursive: true });
    const error = await rejection(
      readUpstreamIndex(base, { transport: transport(), allowUnsigned: true }),
    );
    expect(error.reason).toBe("not-found");
    for (const name of ["index2.sjson", "index.sjson", "index2.json", "index.json"]) {
      expect(error.message).toContain(`${base}/streams/v1/${name}`);
    }
  });

  it("refuses metadata larger than the transport's limit", async () => {
    const fixture = await freshTree();
    const { base, transport } = await start(fixture);
    const error = await rejection(
      readUpstreamProducts(base, RELEASED_AGENTS_SJSON, {
        transport: transport({ maxMetadataBytes: 4096 }),
        keys: fixture.publicKey,
      }),
    );
    expect(error.reason).toBe("too-large");
    expect(error.message).toContain("4 KiB allowed for a metadata file (maxMetadataBytes)");
  });

  it.each([
    "../secret.sjson",
    "/etc/passwd",
    "streams/v1/../../../x.sjson",
    "streams/v1/%2e%2e/index2.sjson",
    "streams/%2E%2E/%2e%2e/x.sjson",
    "streams%2fv1/index2.sjson",
    "agent\\3.6.12\\x.tgz",
    ".streamgate/state/agents.json",
    "http://elsewhere.example/x.sjson",
  ])("refuses the unsafe path %j without requesting anything", async (path) => {
    const fixture = await freshTree();
    const { base, transport, requests } = await start(fixture);
    const options = { transport: transport(), keys: fixture.publicKey, allowUnsigned: true };
    for (const read of [
      readUpstreamProducts(base, path, options),
      fetchUpstreamRaw(base, path, options),
      openUpstreamObject(base, path, options),
    ]) {
      const error = await rejection(read);
      expect(error.reason).toBe("path");
      expect(error.message).toContain(JSON.stringify(path));
    }
    if (requests) expect(requests).toEqual([]);
  });

  it("refuses a validly signed document that Juju could not decode, naming the JSON path", async () => {
    const fixture = await freshTree();
    const { base, transport } = await start(fixture);
    const content = fixture.contentIds[RELEASED_AGENTS];
    const text = await readFile(join(fixture.root, content?.path ?? ""), "utf8");
    const tarball = fixture.tarballs.find((candidate) => candidate.path === TARBALL);
    await resign(
      fixture,
      content?.signedPath ?? "",
      text.replace(`"size": ${tarball?.size},`, `"size": "${tarball?.size}",`),
    );
    const error = await rejection(
      readUpstreamProducts(base, content?.signedPath ?? "", {
        transport: transport(),
        keys: fixture.publicKey,
      }),
    );
    expect(error.reason).toBe("parse");
    expect(error.message).toContain("is not a valid simplestreams product file");
    expect(error.message).toMatch(/items\["3\.6\.12-(ubuntu|centos)-amd64"\]\.size/);
  });

  it("refuses a product file whose content_id is not the index entry's", async () => {
    const fixture = await freshTree();
    const { base, transport } = await start(fixture);
    const error = await rejection(
      readUpstreamProducts(base, RELEASED_AGENTS_SJSON, {
        transport: transport(),
        keys: fixture.publicKey,
        contentId: "com.ubuntu.juju:devel:agents",
      }),
    );
    expect(error.reason).toBe("parse");
    expect(error.message).toContain('"com.ubuntu.juju:devel:agents"');
  });
});

describe("reading the upstream over HTTP", () => {
  async function setup(options: HttpTransportOptions = {}) {
    const fixture = await freshTree();
    const server = await serveTree(fixture.root);
    cleanups.push(server.close);
    const delays: number[] = [];
    const retries: RetryEvent[] = [];
    const transport = createHttpTransport({
      retries: 0,
      sleep: async (ms) => {
        delays.push(ms);
      },
      onRetry: (event) => retries.push(event),
      ...options,
    });
    const read = { transport, keys: fixture.publicKey };
    return { fixture, server, transport, read, delays, retries };
  }

  async function otherHost(): Promise<TreeServer> {
    const server = await serveTree(await mkdtemp(join(tmpdir(), "streamgate-other-host-")));
    cleanups.push(server.close);
    return server;
  }

  it("refuses a redirect to another host, for metadata and for tarballs", async () => {
    const { server, read } = await setup();
    const elsewhere = await otherHost();
    for (const path of ["streams/v1/index2.sjson", TARBALL]) {
      server.override(path, (_request, response) => {
        response.writeHead(302, { location: `${elsewhere.base}/${path}` }).end();
      });
    }
    const index = await rejection(readUpstreamIndex(server.base, read));
    expect(index.reason).toBe("redirect");
    expect(index.message).toContain(
      `redirects (HTTP 302) to ${elsewhere.base}/streams/v1/index2.sjson`,
    );
    const object = await rejection(openUpstreamObject(server.base, TARBALL, read));
    expect(object.reason).toBe("redirect");
    expect(object.retryable).toBe(false);
    expect(elsewhere.requests).toEqual([]);
  });

  it("follows a redirect within the same host", async () => {
    const { fixture, server, read } = await setup();
    server.override("agent/moved.tgz", (_request, response) => {
      response.writeHead(301, { location: `/juju/tools/${TARBALL}` }).end();
    });
    const object = await openUpstreamObject(server.base, "agent/moved.tgz", read);
    const tarball = fixture.tarballs.find((candidate) => candidate.path === TARBALL);
    expect((await sha256Of(object.body)).sha256).toBe(tarball?.sha256);
    expect(server.requests).toEqual(["agent/moved.tgz", TARBALL]);
  });

  it("refuses a redirect loop after maxRedirects hops", async () => {
    const { server, read } = await setup({ maxRedirects: 2 });
    server.override("streams/v1/index2.sjson", (_request, response) => {
      response.writeHead(307, { location: "/juju/tools/streams/v1/index2.sjson" }).end();
    });
    const error = await rejection(readUpstreamIndex(server.base, read));
    expect(error.reason).toBe("redirect");
    expect(error.message).toContain("more than 2 times");
    expect(server.requests).toHaveLength(3);
  });

  it("times out a metadata body that stalls, retrying it first", async () => {
    const { fixture, server, read, retries } = await setup({ idleTimeoutMs: 200, retries: 1 });
    server.override(RELEASED_AGENTS_SJSON, stallAfter(fixture.root, RELEASED_AGENTS_SJSON, 100));
    const error = await rejection(readUpstreamProducts(server.base, RELEASED_AGENTS_SJSON, read));
    expect(error.reason).toBe("timeout");
    expect(error.attempts).toBe(2);
    expect(error.message).toContain("stalled: no data for 200 ms (idleTimeoutMs) after 100 bytes");
    expect(error.message).toContain("gave up after 2 attempts");
    expect(retries.map((event) => event.error.reason)).toEqual(["timeout"]);
    expect(server.requests.filter((path) => path === RELEASED_AGENTS_SJSON)).toHaveLength(2);
  });

  it("fails a tarball body that stalls mid-way", async () => {
    const { fixture, server, read } = await setup({ idleTimeoutMs: 200 });
    server.override(TARBALL, stallAfter(fixture.root, TARBALL, 300));
    const object = await openUpstreamObject(server.base, TARBALL, read);
    expect(object.size).toBe(fixture.tarballs.find((tarball) => tarball.path === TARBALL)?.size);
    const error = await rejection(sha256Of(object.body));
    expect(error.reason).toBe("timeout");
    expect(error.message).toContain("after 300 bytes");
  });

  it("times out when no response headers arrive", async () => {
    const { server, read } = await setup({ timeoutMs: 50 });
    server.override("streams/v1/index2.sjson", () => undefined);
    const error = await rejection(readUpstreamIndex(server.base, read));
    expect(error.reason).toBe("timeout");
    expect(error.message).toContain("no response from");
    expect(error.message).toContain("within 50 ms (timeoutMs)");
  });

  it("retries a 5xx with exponential backoff, then succeeds", async () => {
    const { fixture, server, read, delays, retries } = await setup({
      retries: 3,
      retryDelayMs: 10,
    });
    server.override("streams/v1/index2.sjson", failTimes(2, 503));
    const index = await readUpstreamIndex(server.base, read);
    expect(Object.keys(index.document.index).sort()).toEqual(
      Object.keys(fixture.contentIds).sort(),
    );
    expect(delays).toEqual([10, 20]);
    expect(retries.map((event) => [event.retry, event.error.status])).toEqual([
      [1, 503],
      [2, 503],
    ]);
    expect(server.requests.filter((path) => path === "streams/v1/index2.sjson")).toHaveLength(3);
  });

  it("gives up on a 5xx after the configured retries, capping the backoff", async () => {
    const { server, read, delays } = await setup({
      retries: 3,
      retryDelayMs: 10,
      maxRetryDelayMs: 25,
    });
    server.override(TARBALL, failTimes(100, 502));
    const error = await rejection(openUpstreamObject(server.base, TARBALL, read));
    expect(error).toMatchObject({
      reason: "http-status",
      status: 502,
      attempts: 4,
      retryable: true,
    });
    expect(error.message).toContain("answered HTTP 502 Bad Gateway; expected 200 OK");
    expect(error.message).toContain("gave up after 4 attempts");
    expect(delays).toEqual([10, 20, 25]);
  });

  it.each([
    [403, "http-status"],
    [401, "http-status"],
    [404, "not-found"],
    [410, "not-found"],
  ])("never retries a %i", async (status, reason) => {
    const { server, read, delays } = await setup({ retries: 3 });
    server.override(TARBALL, failTimes(100, status));
    const error = await rejection(openUpstreamObject(server.base, TARBALL, read));
    expect(error).toMatchObject({ reason, status, attempts: 1, retryable: false });
    expect(server.requests).toEqual([TARBALL]);
    expect(delays).toEqual([]);
  });

  it("does not fall back to index.sjson when index2.sjson fails with anything but 404", async () => {
    const { server, read } = await setup();
    server.override("streams/v1/index2.sjson", failTimes(100, 403));
    const error = await rejection(readUpstreamIndex(server.base, read));
    expect(error).toMatchObject({ reason: "http-status", status: 403 });
    expect(server.requests).toEqual(["streams/v1/index2.sjson"]);
  });

  it("refuses an oversized metadata body sent without Content-Length", async () => {
    const { server, read } = await setup({ maxMetadataBytes: 4096 });
    let written = 0;
    server.override("streams/v1/index2.sjson", (_request, response) => {
      response.writeHead(200, { "content-type": "application/json" });
      const chunk = Buffer.alloc(1024, 0x20);
      const timer = setInterval(() => {
        written += chunk.length;
        if (!response.write(chunk) || written > 1024 * 1024) clearInterval(timer);
      }, 1);
      response.on("close", () => clearInterval(timer));
    });
    const error = await rejection(readUpstreamIndex(server.base, read));
    expect(error.reason).toBe("too-large");
    expect(error.message).toMatch(/stopped after reading \d+ bytes/);
    expect(written).toBeLessThan(1024 * 1024);
  });

  it("reads gzip-encoded metadata but asks for tarballs unencoded", async () => {
    const { fixture, server, read } = await setup();
    const acceptEncodings: (string | undefined)[] = [];
    server.override("streams/v1/index2.sjson", async (request, response) => {
      acceptEncodings.push(request.headers["accept-encoding"]);
      const body = gzipSync(await readFile(join(fixture.root, "streams/v1/index2.sjson")));
      response.writeHead(200, { "content-encoding": "gzip", "content-length": body.length });
      response.end(body);
    });
    server.override(TARBALL, (request, _response, serve) => {
      acceptEncodings.push(request.headers["accept-encoding"]);
      serve();
    });
    const index = await readUpstreamIndex(server.base, read);
    expect(index.signed).toBe(true);
    const object = await openUpstreamObject(server.base, TARBALL, read);
    await object.body.cancel();
    expect(acceptEncodings[0]).toMatch(/gzip/);
    expect(acceptEncodings[1]).toBe("identity");
  });

  it("retries a refused connection as a network failure", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    const { read, retries } = await setup({ retries: 2 });
    const error = await rejection(readUpstreamIndex(`http://127.0.0.1:${port}/juju/tools`, read));
    expect(error).toMatchObject({ reason: "network", attempts: 3 });
    expect(error.message).toContain(
      `cannot reach http://127.0.0.1:${port}/juju/tools/streams/v1/index2.sjson`,
    );
    expect(error.message).toContain("ECONNREFUSED");
    expect(retries).toHaveLength(2);
  });

  it("stops waiting between retries when the caller aborts", async () => {
    const controller = new AbortController();
    const { server, read } = await setup({
      retries: 3,
      retryDelayMs: 60_000,
      sleep: undefined,
      onRetry: () => controller.abort(new Error("sync cancelled")),
    });
    server.override("streams/v1/index2.sjson", failTimes(100, 503));
    await expect(
      readUpstreamIndex(server.base, { ...read, signal: controller.signal }),
    ).rejects.toThrow("sync cancelled");
    expect(server.requests).toHaveLength(1);
  });
});
