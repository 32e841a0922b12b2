import { beforeAll, describe, expect, it } from "vitest";
import type { GeneratedSigningKey } from "../signing/index.ts";
import { generateTestKey } from "../signing/test-support.ts";
import { checkSource } from "./check-source.ts";
import { createFindings } from "./findings.ts";
import {
  addAgentTree,
  addImageTree,
  agentProductPath,
  agentTarballPath,
  createFakeMirror,
  type FakeMirror,
  IMAGE_PRODUCT_PATH,
  ORIGIN,
} from "./test-support.ts";

let key: GeneratedSigningKey;

beforeAll(async () => {
  key = await generateTestKey("operator");
});

async function check(fake: FakeMirror, area: "agents" | "images", keys?: string) {
  const findings = createFindings();
  const inventory = await checkSource({
    area,
    baseUrl: `${ORIGIN}/${area === "agents" ? "juju/tools" : "images"}`,
    keys,
    keyLabel: "the test key",
    fetch: fake.fetch,
    cache: new Map(),
    findings,
  });
  return { inventory, findings };
}

describe("checkSource", () => {
  it("records what each index file answered, and every tarball once with who names it", async () => {
    const fake = createFakeMirror();
    await addAgentTree(fake, { signingKey: key.privateKey });
    const { inventory, findings } = await check(fake, "agents", key.publicKey);
    expect(findings.problems).toEqual([]);
    expect(inventory.indexes.map((index) => [index.path, index.status, index.entries])).toEqual([
      ["streams/v1/index2.sjson", 200, 2],
      ["streams/v1/index.sjson", 404, undefined],
      ["streams/v1/index2.json", 200, 2],
      ["streams/v1/index.json", 404, undefined],
    ]);
    expect(inventory.mirrors.map((mirror) => [mirror.path, mirror.status])).toEqual([
      ["streams/v1/mirrors.sjson", 404],
      ["streams/v1/mirrors.json", 404],
    ]);
    expect(inventory.productFiles).toHaveLength(4);
    const tarball = inventory.tarballs.find(
      (claim) => claim.path === agentTarballPath("3.6.12", "amd64"),
    );
    expect(tarball?.namedBy).toEqual([
      agentProductPath("released").replace(/json$/, "sjson"),
      agentProductPath("released"),
    ]);
    expect(inventory.tarballs).toHaveLength(6);
  });

  it("notes a product file that 404s: an exact mirror leaves out streams it does not carry", async () => {
    const fake = createFakeMirror();
    await addAgentTree(fake);
    fake.files.delete(`juju/tools/${agentProductPath("proposed")}`);
    const { inventory, findings } = await check(fake, "agents");
    expect(findings.problems).toEqual([]);
    expect(findings.notes.map((note) => note.message)).toContainEqual(
      expect.stringContaining(
        "named for com.ubuntu.juju:proposed:agents but answers 404: Juju skips that stream",
      ),
    );
    expect(inventory.tarballs).toHaveLength(4);
  });

  it("finds an unsigned index naming a signed product file, and a product the file lacks", async () => {
    const fake = createFakeMirror();
    await addAgentTree(fake);
    await fake.editJson("juju/tools/streams/v1/index2.json", (document) => {
      const index = document.index as Record<string, Record<string, unknown>>;
      (index["com.ubuntu.juju:proposed:agents"] as Record<string, unknown>).path =
        "streams/v1/p.sjson";
      (index["com.ubuntu.juju:released:agents"] as { products: string[] }).products.push(
        "com.ubuntu.juju:ubuntu:s390x",
      );
    });
    const { findings } = await check(fake, "agents");
    expect(findings.problems.map((problem) => [problem.file, problem.message])).toEqual([
      [
        "streams/v1/index2.json",
        "is unsigned but names the signed product file streams/v1/p.sjson for com.ubuntu.juju:proposed:agents",
      ],
      [
        agentProductPath("released"),
        "has no product com.ubuntu.juju:ubuntu:s390x, which streams/v1/index2.json says it holds",
      ],
    ]);
  });

  it("finds items that disagree about one tarball", async () => {
    const fake = createFakeMirror();
    await addAgentTree(fake, { streams: { released: ["3.6.12"], proposed: ["3.6.12"] } });
    await fake.editJson(`juju/tools/${agentProductPath("released")}`, (document) => {
      const products = document.products as Record<
        string,
        { versions: Record<string, { items: Record<string, { size: number }> }> }
      >;
      const item =
        products["com.ubuntu.juju:ubuntu:amd64"]?.versions["20261123"]?.items[
          "3.6.12-ubuntu-amd64"
        ];
      if (item) item.size += 1;
    });
    const { findings } = await check(fake, "agents");
    expect(findings.problems.map((problem) => problem.message)).toContainEqual(
      expect.stringMatching(
        /claims agent\/3\.6\.12\/juju-3\.6\.12-linux-amd64\.tgz is \d+ bytes .* but .* claims \d+ bytes/,
      ),
    );
  });

  it("reads signed files unchecked, with a note, when no key is given", async () => {
    const fake = createFakeMirror();
    await addImageTree(fake, { signingKey: key.privateKey });
    const { inventory, findings } = await check(fake, "images");
    expect(findings.problems).toEqual([]);
    expect(findings.notes.map((note) => note.file)).toEqual([
      "streams/v1/index.sjson",
      IMAGE_PRODUCT_PATH.replace(/json$/, "sjson"),
    ]);
    expect(findings.notes[0]?.message).toContain("signature not checked: no the test key given");
    expect(inventory.items).toHaveLength(6);
  });

  it("notes a mirrors file that is served, and ignores entries of another datatype", async () => {
    const fake = createFakeMirror();
    await addImageTree(fake);
    fake.files.set("images/streams/v1/mirrors.json", new Response('{"mirrors": {}}'));
    await fake.editJson("images/streams/v1/index.json", (document) => {
      (document.index as Record<string, unknown>)["com.ubuntu.juju:released:agents"] = {
        datatype: "content-download",
        path: "streams/v1/agents.json",
        products: [],
      };
    });
    const { findings } = await check(fake, "images");
    expect(findings.problems).toEqual([]);
    expect(findings.notes.map((note) => note.message)).toEqual([
      'entry com.ubuntu.juju:released:agents has datatype "content-download"; Juju\'s images lookup ignores it',
      "a mirrors file is served: Juju reads product files from the mirror it names for matching content; verify does not follow mirrors",
    ]);
  });

  it("finds image items whose product id disagrees with them, or that Juju never asks for", async () => {
    const fake = createFakeMirror();
    await addImageTree(fake);
    await fake.editJson(`images/${IMAGE_PRODUCT_PATH}`, (document) => {
      const products = document.products as Record<string, Record<string, unknown>>;
      (products["com.ubuntu.cloud:server:24.04:amd64"] as Record<string, unknown>).version =
        "22.04";
      products["ubuntu:noble"] = products["com.ubuntu.cloud:server:22.04:arm64"] as Record<
        string,
        unknown
      >;
    });
    const { findings } = await check(fake, "images");
    const messages = findings.problems.map((problem) => problem.message);
    expect(messages).toContainEqual(
      expect.stringMatching(
        /resolves to version 22\.04, arch amd64, unlike its product id com\.ubuntu\.cloud:server:24\.04:amd64/,
      ),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/is in product ubuntu:noble, not a com\.ubuntu\.cloud/),
    );
  });

  it("finds a .json name serving a signed document", async () => {
    const fake = createFakeMirror();
    await addImageTree(fake, { signingKey: key.privateKey });
    fake.files.set(
      "images/streams/v1/index.json",
      fake.files.get("images/streams/v1/index.sjson") as Response,
    );
    const { findings } = await check(fake, "images", key.publicKey);
    expect(findings.problems.map((problem) => [problem.file, problem.message])).toEqual([
      ["streams/v1/index.json", "is an unsigned .json name serving a clearsigned document"],
    ]);
  });
});
