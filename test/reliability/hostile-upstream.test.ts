/**
 * A hostile or broken upstream, end to end: each fault is served by a loopback upstream to
 * a real `streamgate sync agents` child (or, where the CLI offers no knob — short network
 * timeouts, fast retries — to `runAgentsSync` in process). Every one is refused with a
 * message naming what is wrong, the served store stays byte for byte as it was, no partial
 * file is left behind, and memory stays bounded. Unit coverage of the same checks:
 * test/sync/tampered.test.ts, src/upstream/*.test.ts, src/core/relative-path.test.ts.
 */
import { readFile, rm, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { makeUpstream, type UpstreamFixture } from "../../scripts/make-upstream.ts";
import { clearsign, type GeneratedSigningKey, parseSigningKey } from "../../src/signing/index.ts";
import { generateTestKey } from "../../src/signing/test-support.ts";
import { createFsStore } from "../../src/store/fs.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
import { AgentsSyncError, runAgentsSync } from "../../src/sync/index.ts";
import { createHttpTransport, createUpstream } from "../../src/upstream/index.ts";
import {
  agentsConfig,
  directorySnapshot,
  editJson,
  fileUpstream,
  fixtureKey,
  RELEASED_AGENTS_SJSON,
  resign,
  snapshot,
} from "../sync/support.ts";
import { type Handler, serveTree, stallAfter, type TreeServer } from "../upstream/serve-tree.ts";
import { appendLog, runStreamgate } from "./children.ts";
import { reportFigures } from "./figures.ts";
import { type SuiteContext, suiteContext, workDir } from "./suite-context.ts";

const MB = 1_000_000;
/** A CLI sync peaks near 130 MB on Node 22; reading a bounded 64 MiB document near 210 MB. */
const RSS_BOUND = 200 * MB;
const BIG_DOCUMENT_RSS_BOUND = 300 * MB;
/** In-process cases: growth of the test process's RSS. */
const RSS_GROWTH_BOUND = 100 * MB;
const TARBALL = "agent/3.5.5/juju-3.5.5-linux-amd64.tgz";
const INDEX2_SJSON = "streams/v1/index2.sjson";
const RELEASED = "com.ubuntu.juju:released:agents";

interface World {
  dir: string;
  fixture: UpstreamFixture;
  root: string;
  store: ObjectStore;
  keyFile: string;
  server: TreeServer;
}

interface Case {
  name: string;
  tamper: (world: World) => Promise<void>;
  /** What the message must name (called once the world exists). */
  names: (world: World) => RegExp[];
  rssBound?: number;
}

let context: SuiteContext;
let otherKey: GeneratedSigningKey;
let worlds = 0;
const measured: { name: string; rss: number; bound: number; refused: boolean }[] = [];

beforeAll(async () => {
  context = suiteContext();
  otherKey = await generateTestKey("not the upstream");
});

/** An upstream over HTTP and a store already serving its 3.6 agents. */
async function createHostileWorld(): Promise<World> {
  const dir = join(workDir(context), `hostile-${++worlds}`);
  const fixture = await makeUpstream({
    out: join(dir, "upstream", "juju", "tools"),
    signingKey: await fixtureKey(),
    versions: ["3.5.5", "3.6.9"],
    arches: ["amd64"],
  });
  const root = join(dir, "store");
  const store = createFsStore({ root });
  const keyFile = join(dir, "upstream-key.asc");
  await writeFile(keyFile, fixture.publicKey);
  const first = await runAgentsSync({
    store,
    upstream: fileUpstream(fixture),
    config: agentsConfig({ minVersion: "3.6" }),
  });
  expect(first.outcome).toBe("published");
  return { dir, fixture, root, store, keyFile, server: await serveTree(fixture.root) };
}

// biome-ignore lint/suspicious/noExplicitAny: edits reach deep into fixture documents
function editItem(world: World, edit: (item: any) => void): Promise<void> {
  return editJson(world.fixture, RELEASED_AGENTS_SJSON, (document) => {
    edit(
      document.products["com.ubuntu.juju:ubuntu:amd64"].versions["20241113"].items[
        "3.5.5-ubuntu-amd64"
      ],
    );
  });
}

/** Serves a file's bytes without Content-Length (chunked), so only the body tells its size. */
function chunked(root: string, path: string): Handler {
  return (_request, response) => {
    readFile(join(root, path)).then((bytes) => {
      response.writeHead(200, { "transfer-encoding": "chunked" });
      response.end(bytes);
    });
  };
}

/** `megabytes` MB of JSON-ish bytes, with or without announcing the length. */
function hugeDocument(megabytes: number, announce: boolean): Handler {
  return (_request, response) => {
    const chunk = Buffer.alloc(MB, 0x20);
    chunk[0] = 0x5b;
    response.writeHead(200, announce ? { "content-length": megabytes * MB } : {});
    let sent = 0;
    let closed = false;
    response.on("close", () => {
      closed = true;
    });
    const pump = () => {
      while (!closed && sent < megabytes) {
        sent++;
        if (!response.write(chunk)) {
          response.once("drain", pump);
          return;
        }
      }
      if (!closed) response.end();
    };
    pump();
  };
}

function redirectTo(location: string): Handler {
  return (_request, response) => {
    response.writeHead(302, { location }).end();
  };
}

const CLI_CASES: Case[] = [
  {
    name: "a signed product file altered after signing",
    tamper: async ({ fixture }) => {
      const file = join(fixture.root, RELEASED_AGENTS_SJSON);
      await writeFile(file, (await readFile(file, "utf8")).replace('"3.5.5"', '"3.5.6"'));
    },
    names: () => [/com\.ubuntu\.juju-released-agents\.sjson/, /altered|signature/],
  },
  {
    name: "an index signed by another key",
    tamper: async ({ fixture }) => {
      const file = join(fixture.root, INDEX2_SJSON);
      const { verifyClearsigned } = await import("../../src/signing/index.ts");
      const { text } = await verifyClearsigned(await readFile(file), fixture.publicKey);
      await writeFile(file, await clearsign(text, await parseSigningKey(otherKey.privateKey)));
    },
    names: () => [/index2\.sjson/, new RegExp(otherKey.keyId)],
  },
  {
    name: "no signed metadata where signed metadata was expected",
    tamper: async ({ fixture }) => {
      for (const file of fixture.files.filter((path) => path.endsWith(".sjson"))) {
        await rm(join(fixture.root, file));
      }
    },
    names: () => [/not signed|unsigned/, /--allow-unsigned-upstream/],
  },
  {
    name: "plain JSON served as the signed index",
    tamper: async ({ fixture }) => {
      await writeFile(
        join(fixture.root, INDEX2_SJSON),
        await readFile(join(fixture.root, "streams/v1/index2.json")),
      );
    },
    names: () => [/index2\.sjson/, /not an OpenPGP clearsigned file/],
  },
  {
    name: "a sha256 that does not match the tarball",
    tamper: (world) =>
      editItem(world, (item) => {
        item.sha256 = "0".repeat(64);
      }),
    names: () => [new RegExp(TARBALL), /does not match its signed metadata/],
  },
  {
    name: "a size that does not match the tarball",
    tamper: (world) =>
      editItem(world, (item) => {
        item.size += 1;
      }),
    names: () => [new RegExp(TARBALL), /signed metadata/],
  },
  {
    name: "a truncated tarball",
    tamper: ({ fixture }) => truncate(join(fixture.root, TARBALL), 100),
    names: () => [new RegExp(TARBALL), /100 bytes/],
  },
  {
    name: "a claimed size of 10 GB",
    tamper: (world) =>
      editItem(world, (item) => {
        item.size = 10_000_000_000;
      }),
    names: () => [new RegExp(TARBALL), /says 10000000000/],
  },
  {
    name: "a claimed size of 10 GB, the body sent without Content-Length",
    tamper: async (world) => {
      await editItem(world, (item) => {
        item.size = 10_000_000_000;
      });
      world.server.override(TARBALL, chunked(world.fixture.root, TARBALL));
    },
    names: () => [new RegExp(TARBALL), /does not match its signed metadata/],
  },
  {
    name: "a 200 MB index that says so",
    tamper: async ({ server }) => server.override(INDEX2_SJSON, hugeDocument(200, true)),
    names: () => [/index2\.sjson/, /larger than the 64 MiB allowed.*announces 200000000 bytes/],
  },
  {
    name: "a 200 MB index sent without Content-Length",
    tamper: async ({ server }) => server.override(INDEX2_SJSON, hugeDocument(200, false)),
    names: () => [/index2\.sjson/, /larger than the 64 MiB allowed.*stopped after reading/],
    rssBound: BIG_DOCUMENT_RSS_BOUND,
  },
  {
    name: "a signed index nested 100 000 levels deep",
    tamper: async ({ fixture }) => {
      const depth = 100_000;
      const deep = `{"format": "index:1.0", "index": ${'{"a":'.repeat(depth)}1${"}".repeat(depth)}}\n`;
      const key = await parseSigningKey(fixture.privateKey);
      await writeFile(join(fixture.root, INDEX2_SJSON), await clearsign(deep, key));
    },
    names: () => [/index2\.sjson/, /not a valid simplestreams index/],
  },
  {
    name: "a `..` item path",
    tamper: (world) =>
      editItem(world, (item) => {
        item.path = "agent/../../../etc/juju.tgz";
      }),
    names: () => [/3\.5\.5-ubuntu-amd64/, /must not contain "\.\." segments/],
  },
  {
    name: "an absolute item path",
    tamper: (world) =>
      editItem(world, (item) => {
        item.path = "/etc/passwd";
      }),
    names: () => [/3\.5\.5-ubuntu-amd64"\]\.path: must be relative/],
  },
  {
    name: "a percent-encoded `..` item path",
    tamper: (world) =>
      editItem(world, (item) => {
        item.path = "agent/%2e%2e/%2E%2e/etc/juju.tgz";
      }),
    names: () => [/3\.5\.5-ubuntu-amd64"\]\.path: must not contain percent-encoded dots/],
  },
  {
    name: "a backslash item path",
    tamper: (world) =>
      editItem(world, (item) => {
        item.path = "agent\\..\\..\\juju.tgz";
      }),
    names: () => [/3\.5\.5-ubuntu-amd64/, /backslashes/],
  },
  {
    name: "a `..` product path in the index",
    tamper: ({ fixture }) =>
      editJson(fixture, INDEX2_SJSON, (document) => {
        document.index[RELEASED].path = "streams/v1/../../../../etc/products.sjson";
      }),
    names: () => [/index2\.sjson/, /must not contain "\.\." segments/],
  },
  {
    name: "a signed product file repeating a key",
    tamper: ({ fixture }) =>
      resign(fixture, RELEASED_AGENTS_SJSON, (text) =>
        text.replace(/("sha256": "[0-9a-f]{64}")/, `$1,\n "sha256": "${"0".repeat(64)}"`),
      ),
    names: () => [/com\.ubuntu\.juju-released-agents\.sjson/, /the key "sha256" appears twice/],
  },
  {
    name: "an index redirected to another host",
    tamper: async ({ server }) =>
      server.override(
        INDEX2_SJSON,
        redirectTo("http://mirror.invalid/juju/tools/streams/v1/index2.sjson"),
      ),
    names: () => [
      /index2\.sjson/,
      /redirects \(HTTP 302\) to http:\/\/mirror\.invalid/,
      /another origin/,
    ],
  },
  {
    name: "a tarball redirected to another host",
    tamper: async ({ server }) =>
      server.override(TARBALL, redirectTo(`http://mirror.invalid/juju/tools/${TARBALL}`)),
    names: () => [new RegExp(TARBALL), /another origin/],
  },
];

/** Temp files of the fs store (a refused tarball must leave none). */
async function leftovers(root: string): Promise<string[]> {
  return Object.keys(await directorySnapshot(root)).filter((path) =>
    path.startsWith(".streamgate/fs/tmp/"),
  );
}

describe("a hostile upstream, through the CLI", () => {
  it.concurrent.for(CLI_CASES)(
    "refuses $name: exit 1, a message naming it, the store unchanged, memory bounded",
    async ({ name, tamper, names, rssBound }, { expect }) => {
      const world = await createHostileWorld();
      try {
        const before = await snapshot(world.store);
        await tamper(world);
        const result = await runStreamgate(
          context,
          [
            "sync",
            "agents",
            "--upstream",
            world.server.base,
            "--upstream-key",
            world.keyFile,
            "--store",
            `file:${world.root}`,
            "--min-version",
            "3.5",
          ],
          { label: `hostile-${name}`, cwd: world.dir },
        );
        const bound = rssBound ?? RSS_BOUND;
        measured.push({ name, rss: result.maxRss ?? 0, bound, refused: result.code === 1 });
        expect(result.code, result.stderr).toBe(1);
        for (const pattern of names(world)) expect(result.stderr).toMatch(pattern);
        expect(await snapshot(world.store)).toEqual(before);
        expect(await leftovers(world.root)).toEqual([]);
        expect(result.maxRss).toBeGreaterThan(0);
        expect(result.maxRss).toBeLessThan(bound);
      } finally {
        await world.server.close();
      }
    },
  );
});

interface InProcessCase {
  name: string;
  /** Where the fault is served; the rest of the tree is served normally. */
  path: (world: World) => string;
  handler: (world: World) => Handler;
  names: RegExp[];
}

const IN_PROCESS_CASES: InProcessCase[] = [
  {
    name: "a tarball body that stalls",
    path: () => TARBALL,
    handler: ({ fixture }) => stallAfter(fixture.root, TARBALL, 100),
    names: [new RegExp(TARBALL), /stalled: no data for 300 ms/, /after 2 attempts/],
  },
  {
    name: "an index whose headers never come",
    path: () => INDEX2_SJSON,
    handler: () => () => undefined,
    names: [/index2\.sjson/, /no response .* within 300 ms/],
  },
  {
    name: "a tarball whose connection drops halfway",
    path: () => TARBALL,
    handler:
      ({ fixture }) =>
      (_request, response) => {
        readFile(join(fixture.root, TARBALL)).then((bytes) => {
          response.writeHead(200, { "content-length": bytes.byteLength });
          response.write(bytes.subarray(0, bytes.byteLength >> 1), () => response.destroy());
        });
      },
    names: [new RegExp(TARBALL), /failed after \d+ bytes of the body/, /after 2 attempts/],
  },
];

describe("a hostile upstream, in process with short timeouts", () => {
  it.each(IN_PROCESS_CASES)(
    "refuses $name within the timeouts, the store unchanged",
    async ({ name, path, handler, names }) => {
      const world = await createHostileWorld();
      try {
        world.server.override(path(world), handler(world));
        const before = await snapshot(world.store);
        const rss = process.memoryUsage().rss;
        const upstream = createUpstream({
          base: world.server.base,
          keys: world.fixture.publicKey,
          transport: createHttpTransport({
            timeoutMs: 300,
            idleTimeoutMs: 300,
            retries: 1,
            retryDelayMs: 10,
          }),
        });
        const error = await runAgentsSync({
          store: world.store,
          upstream,
          config: agentsConfig({ minVersion: "3.5" }),
          retries: 1,
          retryDelayMs: 10,
        }).catch((caught: unknown) => caught);
        const growth = process.memoryUsage().rss - rss;
        measured.push({
          name,
          rss: growth,
          bound: RSS_GROWTH_BOUND,
          refused: error instanceof AgentsSyncError,
        });
        expect(error).toBeInstanceOf(AgentsSyncError);
        const message = (error as AgentsSyncError).report.failures
          .map((failure) => failure.message)
          .join("\n");
        await appendLog(context, "hostile-in-process", `${name}: ${message}`);
        for (const pattern of names) expect(message).toMatch(pattern);
        expect(await snapshot(world.store)).toEqual(before);
        expect(await leftovers(world.root)).toEqual([]);
        expect(growth).toBeLessThan(RSS_GROWTH_BOUND);
      } finally {
        await world.server.close();
      }
    },
  );

  it("reports its figures", () => {
    const refused = measured.filter((entry) => entry.refused).length;
    const peak = (bound: number) =>
      Math.max(...measured.filter((entry) => entry.bound === bound).map((entry) => entry.rss)) / MB;
    reportFigures(
      "hostile-upstream",
      `${measured.length} faults (${CLI_CASES.length} through the CLI, ${IN_PROCESS_CASES.length} in process), ${refused} refused with a message naming them and the store unchanged; CLI peak RSS ${peak(RSS_BOUND).toFixed(0)} MB (bound ${RSS_BOUND / MB}), ${peak(BIG_DOCUMENT_RSS_BOUND).toFixed(0)} MB reading the unannounced 200 MB index (bound ${BIG_DOCUMENT_RSS_BOUND / MB}); in-process RSS growth at most ${peak(RSS_GROWTH_BOUND).toFixed(0)} MB`,
    );
    expect(measured).toHaveLength(CLI_CASES.length + IN_PROCESS_CASES.length);
    expect(refused).toBe(measured.length);
  });
});
