/**
 * infra/nginx/streamgate.conf, as shipped, run by a real nginx over an fs-store-shaped
 * tree on loopback: what Juju needs from it (juju-contract.md §2). A missing nginx fails
 * the whole file (scripts/install-system-deps.sh installs it).
 */
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { get, type IncomingHttpHeaders } from "node:http";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningNginx, startNginx } from "../../scripts/bench/serve-nginx.ts";

const INDEX = "juju/tools/streams/v1/index2.json";
const SIGNED = "images/streams/v1/index.sjson";
const KEY = "keys/images.asc";
const TARBALL = "juju/tools/agent/3.6.1/juju-3.6.1-ubuntu-amd64.tgz";
const INTERNAL = ".streamgate/state/x";

const indexBody = `${JSON.stringify({ format: "index:1.0", index: { a: "x".repeat(4000) } }, null, 1)}\n`;
// Bytes that happen to be a gzip stream: a client that unpacked them would see something else.
const tarballBody = new Uint8Array(200_000).map((_, i) => (i * 7919) % 251);
tarballBody.set([0x1f, 0x8b, 0x08], 0);

let work = "";
let nginx: RunningNginx | undefined;

function url(path: string): string {
  if (nginx === undefined) throw new Error("nginx did not start");
  return `${nginx.url}${path}`;
}

async function put(root: string, key: string, body: string | Uint8Array): Promise<void> {
  await mkdir(dirname(join(root, key)), { recursive: true });
  await writeFile(join(root, key), body);
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), "streamgate-nginx-"));
  const root = join(work, "tree");
  await put(root, INDEX, indexBody);
  await put(root, SIGNED, "-----BEGIN PGP SIGNED MESSAGE-----\n");
  await put(root, KEY, "-----BEGIN PGP PUBLIC KEY BLOCK-----\n");
  await put(root, TARBALL, tarballBody);
  await put(root, INTERNAL, '{"generation": 1}\n');
  await put(root, "juju/.git/config", "[core]\n");
  nginx = await startNginx({ root, workDir: join(work, "nginx") });
});

afterAll(async () => {
  await nginx?.stop();
  if (work !== "") await rm(work, { recursive: true, force: true });
});

/** A GET whose body stays as sent: fetch() would unpack gzip and hide what went over the wire. */
function rawGet(
  path: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }> {
  return new Promise((done, fail) => {
    get(url(path), { headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        done({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
      response.on("error", fail);
    }).on("error", fail);
  });
}

async function expectPlainNotFound(path: string, init?: RequestInit): Promise<void> {
  const response = await fetch(url(path), init);
  expect(response.status, path).toBe(404);
  expect(response.headers.get("content-type"), path).toBe("text/plain; charset=utf-8");
  expect(await response.text(), path).toBe("404 Not Found\n");
}

describe("infra/nginx/streamgate.conf", () => {
  it("serves index JSON with the app's type and short cache lifetime", async () => {
    const response = await fetch(url(`/${INDEX}`), { headers: { "accept-encoding": "identity" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get("cache-control")).toBe("public, max-age=60, must-revalidate");
    expect(response.headers.get("content-encoding")).toBeNull();
    expect(await response.text()).toBe(indexBody);
  });

  it("gzips JSON when the client asks for it", async () => {
    const response = await rawGet(`/${INDEX}`, { "accept-encoding": "gzip" });
    expect(response.status).toBe(200);
    expect(response.headers["content-encoding"]).toBe("gzip");
    expect(response.headers.vary).toBe("Accept-Encoding");
    expect(gunzipSync(response.body).toString()).toBe(indexBody);
  });

  it("serves a tarball byte for byte, never gzip-encoded, cached as immutable", async () => {
    const response = await rawGet(`/${TARBALL}`, { "accept-encoding": "gzip, deflate, br" });
    expect(response.status).toBe(200);
    expect(response.headers["content-encoding"]).toBeUndefined();
    expect(response.headers["content-type"]).toMatch(/^application\/(gzip|octet-stream)$/);
    expect(response.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    expect(response.headers["content-length"]).toBe(String(tarballBody.byteLength));
    expect(new Uint8Array(response.body)).toEqual(tarballBody);
  });

  it("labels signed metadata and keys as text/plain", async () => {
    for (const key of [SIGNED, KEY]) {
      const response = await fetch(url(`/${key}`));
      expect(response.status, key).toBe(200);
      expect(response.headers.get("content-type"), key).toBe("text/plain; charset=utf-8");
      await response.arrayBuffer();
    }
  });

  it("answers a missing file with a plain-text 404, not an HTML page", async () => {
    await expectPlainNotFound("/juju/tools/streams/v1/mirrors.sjson");
    await expectPlainNotFound("/juju/tools/streams/v1/mirrors.json");
  });

  it("hides the store's internal files and every dot-segment path behind a 404", async () => {
    await expectPlainNotFound(`/${INTERNAL}`);
    await expectPlainNotFound("/.streamgate/");
    await expectPlainNotFound("/%2estreamgate/state/x");
    await expectPlainNotFound("/juju/.git/config");
  });

  it("answers folders with 404: no redirect, no 403 index refusal", async () => {
    for (const path of ["/juju", "/juju/", "/juju/tools/agent/3.6.1", "/"]) {
      const response = await fetch(url(path), { redirect: "manual" });
      expect(response.status, path).toBe(404);
      expect(response.headers.get("location"), path).toBeNull();
      await response.arrayBuffer();
    }
  });

  it("refuses other methods with a plain-text 405", async () => {
    const response = await fetch(url(`/${INDEX}`), { method: "POST", body: "x" });
    expect(response.status).toBe(405);
    expect(response.headers.get("content-type")).toBe("text/plain; charset=utf-8");
    expect(response.headers.get("allow")).toBe("GET, HEAD");
    await response.arrayBuffer();
  });

  it("serves byte ranges of a tarball", async () => {
    const response = await fetch(url(`/${TARBALL}`), { headers: { range: "bytes=10-19" } });
    expect(response.status).toBe(206);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(tarballBody.subarray(10, 20));
  });
});
