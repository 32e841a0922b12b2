import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  flattenProducts,
  parseIndex,
  parseJsonDocument,
  parseProducts,
} from "../../src/core/index.ts";
import { gpgvVerify } from "../../src/signing/test-support.ts";
import { createFsStore } from "../../src/store/fs.ts";
import { lookupAgent } from "../../src/verify/index.ts";
import { runCli } from "../cli/run-cli.ts";
import { serveTree, type TreeServer } from "../upstream/serve-tree.ts";
import { tarballProblems } from "./served-walk.ts";
import {
  createWorld,
  RELEASED_AGENTS_SJSON,
  type ServedStore,
  type SyncWorld,
  serveStore,
} from "./support.ts";

async function fetchBytes(url: string): Promise<{ status: number; bytes: Uint8Array }> {
  const response = await fetch(url);
  return { status: response.status, bytes: new Uint8Array(await response.arrayBuffer()) };
}

describe("sync agents --mode exact → served tree", () => {
  let world: SyncWorld;
  let upstreamServer: TreeServer;
  let served: ServedStore;
  let code: number | null;

  beforeAll(async () => {
    world = await createWorld();
    upstreamServer = await serveTree(world.fixture.root);
    ({ code } = await runCli(
      [
        "sync",
        "agents",
        "--mode",
        "exact",
        "--stream",
        "released",
        "--upstream",
        upstreamServer.base,
        "--upstream-key",
        world.keyFile,
        "--store",
        `file:${world.storeRoot}`,
      ],
      { cwd: world.dir },
    ));
    served = await serveStore(world.store);
  });

  afterAll(async () => {
    await served?.close();
    await upstreamServer?.close();
    await world?.cleanup();
  });

  it("serves upstream's signed and unsigned files byte for byte, the .sjson ones valid for gpgv", async () => {
    expect(code).toBe(0);
    for (const path of [
      "streams/v1/index2.sjson",
      "streams/v1/index2.json",
      RELEASED_AGENTS_SJSON,
      "streams/v1/com.ubuntu.juju-released-agents.json",
    ]) {
      const { status, bytes } = await fetchBytes(`${served.agentsUrl}/${path}`);
      expect(status, path).toBe(200);
      const upstream = await readFile(join(world.fixture.root, path));
      expect(Buffer.from(bytes).equals(upstream), `${path} is upstream's bytes`).toBe(true);
      if (path.endsWith(".sjson")) {
        const file = join(world.dir, path.replaceAll("/", "_"));
        await writeFile(file, bytes);
        const verdict = await gpgvVerify(file, world.fixture.publicKey);
        expect(verdict.code, `gpgv ${path}: ${verdict.stderr}`).toBe(0);
        expect(verdict.valid?.fingerprint).toBe(world.fixture.fingerprint);
      }
    }
  });

  it("holds every tarball the released product file names, all versions, arches and OSes", async () => {
    const text = await readFile(
      join(world.fixture.root, "streams/v1/com.ubuntu.juju-released-agents.json"),
      "utf8",
    );
    const items = flattenProducts(parseProducts(parseJsonDocument(text)));
    const { problems, checked } = await tarballProblems(served.agentsUrl, items);
    expect(problems).toEqual([]);
    const expected = world.fixture.tarballs.filter(
      (tarball) => tarball.streams.includes("released") && tarball.path.startsWith("agent/"),
    );
    expect(checked).toBe(expected.length);
  });

  it("answers 404 for the product files of streams it does not mirror, though the index names them", async () => {
    const index = parseIndex(
      parseJsonDocument(
        new TextDecoder().decode(
          (await fetchBytes(`${served.agentsUrl}/streams/v1/index2.json`)).bytes,
        ),
      ),
    );
    const unmirrored = Object.entries(index.index).filter(
      ([id]) => !id.includes(":released:agents"),
    );
    expect(unmirrored.map(([id]) => id)).toContain("com.ubuntu.juju:devel:agents");
    for (const [, entry] of unmirrored) {
      expect((await fetchBytes(`${served.agentsUrl}/${entry.path}`)).status, entry.path).toBe(404);
      const signed = entry.path.replace(/\.json$/, ".sjson");
      expect((await fetchBytes(`${served.agentsUrl}/${signed}`)).status, signed).toBe(404);
    }
    expect((await fetchBytes(`${served.agentsUrl}/streams/v1/index.sjson`)).status).toBe(404);
  });

  it.each([
    { jujuVersion: "3.6", arch: "amd64", version: "3.6.12" },
    { jujuVersion: "3.6", arch: "s390x", version: "3.6.12" },
    { jujuVersion: "2.9", arch: "ppc64el", version: "2.9.51" },
    { jujuVersion: "3.5", arch: "arm64", version: "3.5.5" },
  ])("gives a $jujuVersion client on $arch $version through the signed index", async (query) => {
    const found = await lookupAgent({
      baseUrl: served.agentsUrl,
      jujuVersion: query.jujuVersion,
      arch: query.arch,
      keys: world.fixture.publicKey,
      requireSigned: true,
    });
    expect(found).toMatchObject({
      outcome: "found",
      version: query.version,
      index: { path: "streams/v1/index2.sjson", signed: true },
    });
  });

  it("mirrors legacy tools and the legacy index with --legacy-tools", async () => {
    const root = join(world.dir, "with-legacy");
    const result = await runCli(
      [
        "sync",
        "agents",
        "--mode",
        "exact",
        "--stream",
        "released",
        "--legacy-tools",
        "--upstream",
        world.fixture.url,
        "--upstream-key",
        world.keyFile,
        "--store",
        `file:${root}`,
        "--json",
      ],
      { cwd: world.dir },
    );
    expect(result.code).toBe(0);
    const store = createFsStore({ root });
    for (const path of [
      "streams/v1/index.sjson",
      "streams/v1/index.json",
      "streams/v1/com.ubuntu.juju-released-tools.sjson",
    ]) {
      const object = await store.get(`juju/tools/${path}`);
      expect(object, path).not.toBeNull();
      const bytes = Buffer.from(await new Response(object?.body).arrayBuffer());
      expect(bytes.equals(await readFile(join(world.fixture.root, path))), path).toBe(true);
    }
    const legacy = world.fixture.tarballs.filter(
      (tarball) => tarball.path.startsWith("releases/") && tarball.streams.includes("released"),
    );
    expect(legacy.length).toBeGreaterThan(0);
    for (const tarball of legacy) {
      expect((await store.head(`juju/tools/${tarball.path}`))?.sha256).toBe(tarball.sha256);
    }
  });
});
