/**
 * @module
 * Shared setup of the verify tests: a mirror built the way operators build one — the
 * real `streamgate sync agents` from the local fixture upstream and `sync images` from a
 * static list, both into an fs store — plus copies of it to seed faults into, the real app
 * serving a store, and a node:http server in front of the app for faults the app itself
 * never makes (403, soft 404, gzip on a tarball, redirects).
 */
import { cp, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeUpstream, type UpstreamFixture } from "../../scripts/make-upstream.ts";
import { createApp } from "../../src/http/index.ts";
import type { GeneratedSigningKey } from "../../src/signing/index.ts";
import { generateTestKey } from "../../src/signing/test-support.ts";
import { createFsStore } from "../../src/store/fs.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
import { type CliResult, runCli } from "../cli/run-cli.ts";

export const KEYSTONE = "https://keystone.example.test:5000/v3";

/** Each region's images as the static list declares them. */
export const IMAGES = {
  RegionOne: [
    { id: "11111111-0001-4000-8000-000000000001", version: "24.04", arch: "amd64" },
    { id: "11111111-0002-4000-8000-000000000002", version: "22.04", arch: "arm64" },
  ],
  RegionTwo: [{ id: "22222222-0001-4000-8000-000000000001", version: "24.04", arch: "amd64" }],
} as const;

export interface SyncedMirror {
  dir: string;
  fixture: UpstreamFixture;
  /** Root of the fs store the syncs published into. */
  storeRoot: string;
  upstreamKeyFile: string;
  imageKey: GeneratedSigningKey;
  imagePrivateKeyFile: string;
  imagePublicKeyFile: string;
  cleanup(): Promise<void>;
}

function mustSucceed(what: string, result: CliResult): CliResult {
  if (result.code !== 0) {
    throw new Error(`${what} exited ${result.code}:\n${result.stderr}\n${result.stdout}`);
  }
  return result;
}

const CLEAN_ENV = {
  OS_CLOUD: "",
  STREAMGATE_SIGNING_KEY: "",
  STREAMGATE_CONFIG: "",
  STREAMGATE_STORE: "",
};

/** Runs the real CLI with a clean environment, in `cwd`. */
export function cli(args: string[], cwd: string): Promise<CliResult> {
  return runCli(args, { cwd, env: CLEAN_ENV });
}

/**
 * A mirror as `sync agents` (filtered, 3.5+, amd64 and arm64, from the signed fixture
 * upstream) and `sync images` (signed, two regions) publish it.
 */
export async function buildSyncedMirror(): Promise<SyncedMirror> {
  const dir = await mkdtemp(join(tmpdir(), "streamgate-verify-"));
  const [upstreamKey, imageKey] = await Promise.all([
    generateTestKey("verify fixture upstream"),
    generateTestKey("verify operator"),
  ]);
  const fixture = await makeUpstream({
    out: join(dir, "upstream", "juju", "tools"),
    signingKey: upstreamKey,
    versions: ["3.4.6", "3.5.4", "3.5.5", "3.6.12", "3.6.13"],
    arches: ["amd64", "arm64"],
  });
  const storeRoot = join(dir, "store");
  const upstreamKeyFile = join(dir, "upstream-key.asc");
  const imagePrivateKeyFile = join(dir, "image-signing-key.asc");
  const imagePublicKeyFile = join(dir, "image-key.pub.asc");
  await writeFile(upstreamKeyFile, fixture.publicKey);
  await writeFile(imagePrivateKeyFile, imageKey.privateKey, { mode: 0o600 });
  await writeFile(imagePublicKeyFile, imageKey.publicKey);
  const regions = Object.fromEntries(
    Object.entries(IMAGES).map(([region, images]) => [region, { images }]),
  );
  await writeFile(
    join(dir, "images.json"),
    JSON.stringify({ cloud: "private", endpoint: KEYSTONE, regions }),
  );
  mustSucceed(
    "sync agents",
    await cli(
      [
        "sync",
        "agents",
        "--upstream",
        fixture.url,
        "--upstream-key",
        upstreamKeyFile,
        "--store",
        `file:${storeRoot}`,
        "--min-version",
        "3.5",
        "--arch",
        "amd64,arm64",
        "--json",
      ],
      dir,
    ),
  );
  mustSucceed(
    "sync images",
    await cli(
      [
        "sync",
        "images",
        "--store",
        `file:${storeRoot}`,
        "--from",
        "images.json",
        "--signing-key",
        imagePrivateKeyFile,
        "--json",
      ],
      dir,
    ),
  );
  return {
    dir,
    fixture,
    storeRoot,
    upstreamKeyFile,
    imageKey,
    imagePrivateKeyFile,
    imagePublicKeyFile,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A copy of the mirror's store (internal files too), to seed one fault into. */
export async function copyStore(
  mirror: SyncedMirror,
  name: string,
): Promise<{ root: string; store: ObjectStore }> {
  const root = join(mirror.dir, `copy-${name}`);
  await cp(mirror.storeRoot, root, { recursive: true });
  return { root, store: createFsStore({ root }) };
}

export async function readText(store: ObjectStore, key: string): Promise<string> {
  const object = await store.get(key);
  if (object === null) throw new Error(`${key} is not in the store`);
  return new Response(object.body).text();
}

/** Every key the store serves, sorted. */
export async function servedKeys(store: ObjectStore): Promise<string[]> {
  const keys: string[] = [];
  for await (const info of store.list("")) keys.push(info.key);
  return keys;
}

/**
 * Answers a request instead of the app: write to `response`, or call `app()` for the
 * app's own answer (to pass it through or change it).
 */
export type FaultHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  app: () => Promise<Response>,
) => Promise<void>;

export interface Served {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  close(): Promise<void>;
}

async function send(response: ServerResponse, answer: Response): Promise<void> {
  response.writeHead(answer.status, Object.fromEntries(answer.headers.entries()));
  if (answer.body === null) {
    response.end();
    return;
  }
  for await (const chunk of answer.body) response.write(chunk);
  response.end();
}

/**
 * The real app over `store` behind a node:http server on 127.0.0.1:0; `fault(path)` may
 * return a handler that answers that URL path (without the leading `/`) instead.
 */
export async function serveWithFaults(
  store: ObjectStore,
  fault: (path: string) => FaultHandler | undefined = () => undefined,
): Promise<Served> {
  const app = createApp({ store, logError: () => {} });
  let origin = "";
  const server = createServer((request, response) => {
    const path = (request.url ?? "/").slice(1);
    const appAnswer = () =>
      Promise.resolve(
        app.fetch(
          new Request(`${origin}${request.url ?? "/"}`, {
            method: request.method ?? "GET",
            headers: Object.entries(request.headers).flatMap(([name, value]) =>
              value === undefined ? [] : [[name, Array.isArray(value) ? value.join(", ") : value]],
            ) as [string, string][],
          }),
        ),
      );
    const handler = fault(path) ?? (async (_request, out, answer) => send(out, await answer()));
    handler(request, response, appAnswer).catch((error: unknown) => {
      response.destroy(error as Error);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    origin,
    close() {
      server.closeAllConnections();
      return new Promise((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      );
    },
  };
}

export { send as sendResponse };
