import { readFile, truncate, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import type { UpstreamFixture } from "../../scripts/make-upstream.ts";
import { clearsign, type GeneratedSigningKey, parseSigningKey } from "../../src/signing/index.ts";
import { generateTestKey } from "../../src/signing/test-support.ts";
import { runCli } from "../cli/run-cli.ts";
import {
  createWorld,
  editJson,
  RELEASED_AGENTS_SJSON,
  resign,
  type SyncWorld,
  snapshot,
  syncAgentsCli,
} from "./support.ts";

const TARBALL = "agent/3.5.5/juju-3.5.5-linux-amd64.tgz";
const ITEM =
  "com.ubuntu.juju:released:agents com.ubuntu.juju:ubuntu:amd64 20241113 3.5.5-ubuntu-amd64";

interface TamperedItem {
  size: number | string;
  sha256: string;
  path: string;
  version: string;
}

/** Edits the 3.5.5 ubuntu/amd64 item of the released agents product file and re-signs it. */
function editItem(fixture: UpstreamFixture, edit: (item: TamperedItem) => void): Promise<void> {
  return editJson(fixture, RELEASED_AGENTS_SJSON, (document) => {
    edit(
      document.products["com.ubuntu.juju:ubuntu:amd64"].versions["20241113"].items[
        "3.5.5-ubuntu-amd64"
      ],
    );
  });
}

let otherKey: GeneratedSigningKey;
let world: SyncWorld | undefined;

beforeAll(async () => {
  otherKey = await generateTestKey("not the upstream");
});

afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

const CASES: {
  name: string;
  tamper: (fixture: UpstreamFixture) => Promise<void>;
  /** What the error must name (called after the keys exist). */
  names: () => RegExp[];
}[] = [
  {
    name: "a product file altered after it was signed",
    tamper: async (fixture) => {
      const file = join(fixture.root, RELEASED_AGENTS_SJSON);
      await writeFile(file, (await readFile(file, "utf8")).replace('"3.5.5"', '"3.5.6"'));
    },
    names: () => [/com\.ubuntu\.juju-released-agents\.sjson/, /altered|signature/],
  },
  {
    name: "an index signed by another key",
    tamper: async (fixture) => {
      const file = join(fixture.root, "streams/v1/index2.sjson");
      const { verifyClearsigned } = await import("../../src/signing/index.ts");
      const { text } = await verifyClearsigned(await readFile(file), fixture.publicKey);
      await writeFile(file, await clearsign(text, await parseSigningKey(otherKey.privateKey)));
    },
    names: () => [/index2\.sjson/, new RegExp(otherKey.keyId)],
  },
  {
    name: "a wrong sha256 in a product item",
    tamper: (fixture) =>
      editItem(fixture, (item) => {
        item.sha256 = "0".repeat(64);
      }),
    names: () => [
      new RegExp(TARBALL),
      /does not match its signed metadata/,
      /3\.5\.5-ubuntu-amd64/,
    ],
  },
  {
    name: "a truncated tarball",
    tamper: (fixture) => truncate(join(fixture.root, TARBALL), 100),
    names: () => [new RegExp(TARBALL), /100 bytes/],
  },
  {
    name: "a size that does not match the tarball",
    tamper: (fixture) =>
      editItem(fixture, (item) => {
        item.size = Number(item.size) + 1;
      }),
    names: () => [new RegExp(TARBALL), /signed metadata/],
  },
  {
    name: "malformed JSON in a signed product file",
    tamper: (fixture) =>
      resign(fixture, RELEASED_AGENTS_SJSON, (text) => text.replace(/}\s*$/, "},\n")),
    names: () => [
      /com\.ubuntu\.juju-released-agents\.sjson/,
      /not a valid simplestreams product file/,
    ],
  },
  {
    name: "a `..` in an item path",
    tamper: (fixture) =>
      editItem(fixture, (item) => {
        item.path = "agent/../../../etc/juju.tgz";
      }),
    names: () => [
      /com\.ubuntu\.juju-released-agents\.sjson/,
      /3\.5\.5-ubuntu-amd64/,
      /must not contain "\.\." segments/,
    ],
  },
  {
    name: "a version Juju cannot parse",
    tamper: (fixture) =>
      editItem(fixture, (item) => {
        item.version = "3.5.x";
      }),
    names: () => [/3\.5\.x/, /3\.5\.5-ubuntu-amd64/, /com\.ubuntu\.juju-released-agents\.sjson/],
  },
  {
    name: "a size written as a string",
    tamper: (fixture) =>
      editItem(fixture, (item) => {
        item.size = String(item.size);
      }),
    names: () => [/com\.ubuntu\.juju-released-agents\.sjson/, /size/],
  },
];

describe("a tampered upstream", () => {
  it.each(CASES)(
    "refuses $name: exit 1, a message naming it, the store unchanged",
    async ({ tamper, names }) => {
      world = await createWorld();
      // A tree is already served; a refused sync must leave it exactly as it was.
      const first = await syncAgentsCli(world, ["--min-version", "3.6", "--arch", "amd64"]);
      expect(first.code, first.stderr).toBe(0);
      const before = await snapshot(world.store);
      expect(Object.keys(before).length).toBeGreaterThan(2);

      await tamper(world.fixture);
      const result = await syncAgentsCli(world, ["--min-version", "3.5", "--arch", "amd64,arm64"]);
      expect(result.code, result.stderr).toBe(1);
      for (const pattern of names()) expect(result.stderr).toMatch(pattern);
      expect(await snapshot(world.store)).toEqual(before);
    },
  );

  it("names the tarball and its items in the failed report", async () => {
    world = await createWorld();
    await editItem(world.fixture, (item) => {
      item.sha256 = "f".repeat(64);
    });
    const result = await runCli(
      [
        "sync",
        "agents",
        "--upstream",
        world.fixture.url,
        "--upstream-key",
        world.keyFile,
        "--store",
        `file:${world.storeRoot}`,
        "--min-version",
        "3.5",
        "--json",
      ],
      { cwd: world.dir },
    );
    expect(result.code).toBe(1);
    const report = JSON.parse(result.stdout);
    expect(report).toMatchObject({ outcome: "failed", published: false });
    expect(report.failures).toEqual([
      expect.objectContaining({ kind: "tarball", path: TARBALL, items: [ITEM] }),
    ]);
    expect(await snapshot(world.store)).toEqual({});
  });
});
