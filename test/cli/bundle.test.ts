import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import {
  readTar,
  type SeededMirror,
  seedMirror,
  snapshotStore,
  temporaryDirectory,
} from "../../src/bundle/test-support.ts";
import { generateTestKey } from "../../src/signing/test-support.ts";
import { createFsStore } from "../../src/store/fs.ts";
import { runCli } from "./run-cli.ts";

let work: string;
let online: string;
let seeded: SeededMirror;
let privateKey: string;
let publicKey: string;
let strangerKey: string;
let bundle: string;

beforeAll(async () => {
  work = await temporaryDirectory("cli");
  online = join(work, "online");
  const [operator, stranger] = await Promise.all([
    generateTestKey("bundle operator"),
    generateTestKey("someone else"),
  ]);
  seeded = await seedMirror(createFsStore({ root: online }), operator);
  privateKey = join(work, "signing-key.asc");
  publicKey = join(work, "signing-key.pub.asc");
  strangerKey = join(work, "stranger.pub.asc");
  await writeFile(privateKey, operator.privateKey, { mode: 0o600 });
  await writeFile(publicKey, operator.publicKey);
  await writeFile(strangerKey, stranger.publicKey);
  bundle = join(work, "mirror.tar");
  const { code, stderr } = await runCli(
    ["bundle", "export", bundle, "--store", `file:${online}`, "--key", privateKey],
    { cwd: work },
  );
  if (code !== 0) throw new Error(`bundle export failed (${code}): ${stderr}`);
});

async function offlineStore(): Promise<string> {
  return join(await temporaryDirectory("offline"), "data");
}

describe("streamgate bundle export", () => {
  it("writes a signed bundle and summarises it on stderr", async () => {
    const file = join(await temporaryDirectory("out"), "again.tar");
    const { code, stderr, stdout } = await runCli(
      ["bundle", "export", file, "--store", online, "--key", privateKey],
      { cwd: work },
    );
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toMatch(new RegExp(`wrote ${file} \\([\\d.]+ MiB\\): 10 objects`));
    expect(stderr).toContain("generations: agents 1, images 1");
    expect((await readTar(file))[0]?.name).toBe("manifest.json.asc");
  });

  it("exits 2 without --key: there are no unsigned bundles", async () => {
    const file = join(await temporaryDirectory("out"), "unsigned.tar");
    const { code, stderr } = await runCli(["bundle", "export", file, "--store", online]);
    expect(code).toBe(2);
    expect(stderr).toContain("needs --key FILE");
  });

  it("exits 2 without FILE or --metadata-source", async () => {
    const { code, stderr } = await runCli(["bundle", "export", "--store", online]);
    expect(code).toBe(2);
    expect(stderr).toContain("needs FILE");
  });

  it("exits 2 on a malformed or unknown --since", async () => {
    const file = join(await temporaryDirectory("out"), "since.tar");
    const malformed = await runCli([
      "bundle",
      "export",
      file,
      "--store",
      online,
      "--key",
      privateKey,
      "--since",
      "yesterday",
    ]);
    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toContain("`--since` expects a generation number");
    const unknown = await runCli([
      "bundle",
      "export",
      file,
      "--store",
      online,
      "--key",
      privateKey,
      "--since",
      "agents:9",
    ]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("generation 9 of the agents job is unknown to this store");
  });

  it("exits 2 when the key file is missing or holds a public key", async () => {
    const file = join(await temporaryDirectory("out"), "key.tar");
    const missing = await runCli([
      "bundle",
      "export",
      file,
      "--store",
      online,
      "--key",
      join(work, "nope.asc"),
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read the signing key");
    const wrongHalf = await runCli([
      "bundle",
      "export",
      file,
      "--store",
      online,
      "--key",
      publicKey,
    ]);
    expect(wrongHalf.code).toBe(2);
    expect(wrongHalf.stderr).toContain("signing needs the private key");
  });

  it("exits 1 when the store holds nothing to export", async () => {
    const empty = await temporaryDirectory("empty");
    const file = join(await temporaryDirectory("out"), "empty.tar");
    const { code, stderr } = await runCli([
      "bundle",
      "export",
      file,
      "--store",
      empty,
      "--key",
      privateKey,
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain("nothing to export");
  });
});

describe("streamgate bundle import", () => {
  it("publishes the bundle into an empty store, byte for byte", async () => {
    const target = await offlineStore();
    const { code, stderr } = await runCli(
      ["bundle", "import", bundle, "--store", `file:${target}`, "--key", publicKey],
      { cwd: work },
    );
    expect(code).toBe(0);
    expect(stderr).toContain("10 objects written, 0 already present");
    expect(stderr).toContain("generations: agents 1, images 1");
    const published = (snapshot: Map<string, string>) =>
      new Map([...snapshot].filter(([key]) => !key.startsWith(".streamgate/")));
    expect(published(await snapshotStore(createFsStore({ root: target })))).toEqual(
      published(await snapshotStore(createFsStore({ root: online }))),
    );
    const state = JSON.parse(await readFile(join(target, ".streamgate/state/agents.json"), "utf8"));
    expect(state.generations).toEqual({ "1": seeded.publishedAt });
  });

  it("exits 1 and writes nothing for a bundle signed by another key", async () => {
    const target = await offlineStore();
    const { code, stderr } = await runCli([
      "bundle",
      "import",
      bundle,
      "--store",
      target,
      "--key",
      strangerKey,
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain("not validly signed by a trusted key");
    expect(await snapshotStore(createFsStore({ root: target }))).toEqual(new Map());
  });

  it("exits 1 naming the object a corrupt bundle damages", async () => {
    const victim = seeded.agents[0]?.key as string;
    const entry = (await readTar(bundle)).find(({ name }) => name === victim);
    const bytes = await readFile(bundle);
    const at = (entry?.offset ?? 0) + 1000;
    bytes[at] = (bytes[at] ?? 0) ^ 0xff;
    const corrupt = join(await temporaryDirectory("corrupt"), "mirror.tar");
    await writeFile(corrupt, bytes);
    const target = await offlineStore();
    const { code, stderr } = await runCli([
      "bundle",
      "import",
      corrupt,
      "--store",
      target,
      "--key",
      publicKey,
    ]);
    expect(code).toBe(1);
    expect(stderr).toContain(`"${victim}" failed: its bytes in the bundle do not match`);
    expect(await snapshotStore(createFsStore({ root: target }))).toEqual(new Map());
  });

  it("exits 2 without --key or with a bundle that does not exist", async () => {
    const target = await offlineStore();
    const noKey = await runCli(["bundle", "import", bundle, "--store", target]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("needs --key FILE");
    const missing = await runCli([
      "bundle",
      "import",
      join(work, "missing.tar"),
      "--store",
      target,
      "--key",
      publicKey,
    ]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("cannot read the bundle");
  });
});

describe("streamgate bundle export --metadata-source", () => {
  it("writes the directory and prints the juju bootstrap command with the image key", async () => {
    const dir = join(await temporaryDirectory("source"), "metadata");
    const { code, stdout, stderr } = await runCli([
      "bundle",
      "export",
      "--metadata-source",
      dir,
      "--store",
      online,
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe(
      `JUJU_STREAMS_PUBLICKEY_FILE=${dir}/keys/images.asc juju bootstrap CLOUD --metadata-source ${dir}\n`,
    );
    expect(stderr).toContain("agents in tools/, image-ids in images/ (signed)");
    expect(await readFile(join(dir, "tools/streams/v1/index2.json"), "utf8")).toContain(
      "com.ubuntu.juju:released:agents",
    );
  });

  it("exits 2 when combined with FILE, --key or --since", async () => {
    const dir = await temporaryDirectory("source");
    const { code, stderr } = await runCli([
      "bundle",
      "export",
      "x.tar",
      "--metadata-source",
      dir,
      "--key",
      privateKey,
      "--store",
      online,
    ]);
    expect(code).toBe(2);
    expect(stderr).toContain("takes no FILE, --key");
  });
});
