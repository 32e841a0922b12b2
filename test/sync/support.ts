/**
 * @module
 * Shared setup of the agents sync tests: a signed fixture upstream per test (one key per
 * file), an fs store in a temp dir, snapshots of everything a store holds, re-signing of
 * tampered upstream files, and the real HTTP app serving a store on loopback.
 */
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { makeUpstream, type UpstreamFixture } from "../../scripts/make-upstream.ts";
import { parseConfig } from "../../src/config/parse-config.ts";
import type { AgentsJobConfig } from "../../src/config/schema.ts";
import { createApp } from "../../src/http/index.ts";
import { clearsign, type GeneratedSigningKey, parseSigningKey } from "../../src/signing/index.ts";
import { generateTestKey } from "../../src/signing/test-support.ts";
import { createFsStore } from "../../src/store/fs.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
import { createFileTransport } from "../../src/upstream/file-transport.ts";
import { createUpstream, type Upstream } from "../../src/upstream/index.ts";
import { runCli } from "../cli/run-cli.ts";
import { listenOnLoopback } from "../support/listen.ts";

export const RELEASED_AGENTS_SJSON = "streams/v1/com.ubuntu.juju-released-agents.sjson";

let sharedKey: Promise<GeneratedSigningKey> | undefined;

/** One RSA key per test file: fixtures signed with it verify with `fixture.publicKey`. */
export function fixtureKey(): Promise<GeneratedSigningKey> {
  sharedKey ??= generateTestKey("sync fixture upstream");
  return sharedKey;
}

export interface SyncWorld {
  dir: string;
  fixture: UpstreamFixture;
  /** Root of the fs store (`file:` URL path). */
  storeRoot: string;
  store: ObjectStore;
  /** The fixture's public key, written to a file (for `--upstream-key`). */
  keyFile: string;
  cleanup(): Promise<void>;
}

/** A fresh upstream (the default catalogue) and an empty fs store in a temp dir. */
export async function createWorld(
  options: { versions?: string[]; arches?: string[] } = {},
): Promise<SyncWorld> {
  const dir = await mkdtemp(join(tmpdir(), "streamgate-sync-"));
  const fixture = await makeUpstream({
    out: join(dir, "upstream", "juju", "tools"),
    signingKey: await fixtureKey(),
    ...(options.versions === undefined ? {} : { versions: options.versions }),
    ...(options.arches === undefined ? {} : { arches: options.arches }),
  });
  const storeRoot = join(dir, "store");
  const keyFile = join(dir, "upstream-key.asc");
  await writeFile(keyFile, fixture.publicKey);
  return {
    dir,
    fixture,
    storeRoot,
    store: createFsStore({ root: storeRoot }),
    keyFile,
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** The fixture read over `file://`, trusting its key. */
export function fileUpstream(fixture: UpstreamFixture, allowUnsigned = false): Upstream {
  return createUpstream({
    base: fixture.url,
    transport: createFileTransport(),
    keys: fixture.publicKey,
    allowUnsigned,
  });
}

/** An `agents` block as `parseConfig` fills it, with a grace period of 0 unless given. */
export function agentsConfig(block: Record<string, unknown> = {}): AgentsJobConfig {
  const agents = parseConfig({ agents: { graceSeconds: 0, ...block } }, "test").agents;
  if (agents === undefined) throw new Error("no agents block");
  return agents;
}

/** Every object the store serves (`list("")`), with the sha256 of its bytes. */
export async function snapshot(store: ObjectStore): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  for await (const info of store.list("")) {
    const object = await store.get(info.key);
    const bytes = new Uint8Array(await new Response(object?.body).arrayBuffer());
    result[info.key] = createHash("sha256").update(bytes).digest("hex");
  }
  return result;
}

/** Every file under a directory, internal ones included, with its bytes' sha256. */
export async function directorySnapshot(root: string): Promise<Record<string, string>> {
  const result: Record<string, string> = {};
  const exists = await stat(root).then(
    () => true,
    () => false,
  );
  if (!exists) return result;
  for (const entry of await readdir(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    result[relative(root, path)] = createHash("sha256")
      .update(await readFile(path))
      .digest("hex");
  }
  return result;
}

/**
 * Rewrites one signed upstream file: `edit` gets its JSON text and returns the new text,
 * which is signed again with the fixture's key — a tampered upstream whose signature
 * still verifies, so only the sync's own checks can catch it.
 */
export async function resign(
  fixture: UpstreamFixture,
  path: string,
  edit: (text: string) => string,
): Promise<void> {
  const file = join(fixture.root, path);
  const { verifyClearsigned } = await import("../../src/signing/index.ts");
  const verified = await verifyClearsigned(await readFile(file), fixture.publicKey);
  const key = await parseSigningKey(fixture.privateKey);
  await writeFile(file, await clearsign(edit(verified.text), key));
}

export interface ServedStore {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** `agent-metadata-url`: `<origin>/juju/tools`. */
  agentsUrl: string;
  close(): Promise<void>;
}

/** The real HTTP app over a store, on 127.0.0.1 and a free port. */
export async function serveStore(store: ObjectStore): Promise<ServedStore> {
  const { baseUrl, close } = await listenOnLoopback(
    createApp({ store, jobs: ["agents"], logError: () => {} }),
  );
  return { origin: baseUrl, agentsUrl: `${baseUrl}/juju/tools`, close };
}

/** `streamgate sync agents` through the real bin, from the world's upstream into its store. */
export function syncAgentsCli(current: SyncWorld, args: readonly string[]) {
  return runCli(
    [
      "sync",
      "agents",
      "--upstream",
      current.fixture.url,
      "--upstream-key",
      current.keyFile,
      "--store",
      `file:${current.storeRoot}`,
      ...args,
    ],
    { cwd: current.dir },
  );
}

/** `resign` with a structured edit of the document. */
export function editJson(
  fixture: UpstreamFixture,
  path: string,
  // biome-ignore lint/suspicious/noExplicitAny: tests reach deep into fixture documents
  edit: (document: any) => void,
): Promise<void> {
  return resign(fixture, path, (text) => {
    const document = JSON.parse(text);
    edit(document);
    return `${JSON.stringify(document, null, 1)}\n`;
  });
}
