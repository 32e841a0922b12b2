/**
 * End to end: the Keystone + Glance double → `streamgate sync images` (the real bin, in a
 * child process) → the app serving the fs store over HTTP → a client doing Juju's image
 * lookup, and gpgv on every signed file.
 */
import { readdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { GeneratedSigningKey } from "../../src/signing/generate-key.ts";
import { generateTestKey, gpgvVerify, temporaryDirectory } from "../../src/signing/test-support.ts";
import { createFsStore } from "../../src/store/fs.ts";
import { lookupImage } from "../../src/verify/index.ts";
import { runCli } from "../cli/run-cli.ts";
import {
  type OpenStackDouble,
  passwordEnv,
  startOpenStackDouble,
  ubuntuImage,
} from "./openstack-double.ts";
import { type ServedTree, serveTree } from "./serve-tree.ts";

let double: OpenStackDouble;
let served: ServedTree;
let key: GeneratedSigningKey;
let dir: string;
let root: string;

const ONE_NOBLE = "9d1e0b6a-0001-4000-8000-000000000001";
const ONE_JAMMY_ARM = "9d1e0b6a-0002-4000-8000-000000000002";
const TWO_NOBLE = "7c2f4e1b-0003-4000-8000-000000000003";
const ONE_NOBLE_NEW = "9d1e0b6a-0004-4000-8000-000000000004";

async function sync(...extra: string[]) {
  const result = await runCli(
    ["sync", "images", "--config", join(dir, "streamgate.yaml"), "--json", ...extra],
    {
      cwd: dir,
      env: {
        ...passwordEnv(double),
        OS_CLOUD: "",
        STREAMGATE_SIGNING_KEY: "",
        STREAMGATE_CONFIG: "",
      },
    },
  );
  if (result.code !== 0) throw new Error(`sync images exited ${result.code}: ${result.stderr}`);
  return JSON.parse(result.stdout);
}

async function lookup(region: string, version: string, arch: string) {
  const publicKey = await (await fetch(`${served.baseUrl}/keys/images.asc`)).text();
  const result = await lookupImage({
    baseUrl: `${served.baseUrl}/images`,
    keys: publicKey,
    requireSigned: true,
    region,
    // Juju compares endpoints ignoring a trailing slash.
    endpoint: `${double.authUrl}/`,
    version,
    arch,
  });
  if (result.outcome === "broken") throw new Error(result.reason);
  return result.outcome === "found" ? result.id : undefined;
}

async function snapshot(): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const name of await readdir(join(root, "images/streams/v1"))) {
    const path = join(root, "images/streams/v1", name);
    files.set(name, `${(await stat(path)).mtimeMs} ${await readFile(path, "utf8")}`);
  }
  return files;
}

beforeAll(async () => {
  key = await generateTestKey();
  dir = await temporaryDirectory("images-e2e");
  root = join(dir, "data");
  await writeFile(join(dir, "signing-key.asc"), key.privateKey, { mode: 0o600 });
  await writeFile(
    join(dir, "streamgate.yaml"),
    [
      "store: file:./data",
      "images:",
      "  cloud: mycloud",
      "  signingKey: ./signing-key.asc",
      "",
    ].join("\n"),
  );
  double = await startOpenStackDouble({
    regions: [
      {
        name: "RegionOne",
        images: [
          ubuntuImage(ONE_NOBLE, "noble", "x86_64"),
          ubuntuImage(ONE_JAMMY_ARM, "22.04", "aarch64"),
          { id: "no-properties", name: "custom-appliance" },
        ],
      },
      { name: "RegionTwo", images: [ubuntuImage(TWO_NOBLE, "24.04", "amd64")] },
      { name: "RegionThree", withoutImageService: true },
    ],
    maxPageSize: 2,
  });
  served = await serveTree(createFsStore({ root }));
});

afterAll(async () => {
  await served?.close();
  await double?.close();
});

describe("sync images end to end", () => {
  it("publishes a tree in which Juju's lookup finds the right id in each region", async () => {
    const report = await sync();
    expect(report).toMatchObject({ ok: true, published: true, signed: true, generation: 1 });
    expect(report.regionsWithoutImages).toEqual(["RegionThree"]);
    expect(report.regions[0].unmapped).toEqual([
      {
        id: "no-properties",
        name: "custom-appliance",
        reason: expect.stringMatching(/^no os_distro/),
      },
    ]);
    expect(await lookup("RegionOne", "24.04", "amd64")).toBe(ONE_NOBLE);
    expect(await lookup("RegionOne", "22.04", "arm64")).toBe(ONE_JAMMY_ARM);
    expect(await lookup("RegionTwo", "24.04", "amd64")).toBe(TWO_NOBLE);
    expect(await lookup("RegionTwo", "22.04", "arm64")).toBeUndefined();
  });

  it("serves the public half of the signing key, and nothing secret", async () => {
    const response = await fetch(`${served.baseUrl}/keys/images.asc`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(key.publicKey);
    for (const name of await readdir(join(root, "images/streams/v1"))) {
      const text = await readFile(join(root, "images/streams/v1", name), "utf8");
      expect(text, name).not.toContain("PRIVATE KEY");
    }
  });

  it("signs every .sjson so that gpgv verifies it with the published key", async () => {
    const publicKey = await readFile(join(root, "keys/images.asc"), "utf8");
    const signed = (await readdir(join(root, "images/streams/v1"))).filter((name) =>
      name.endsWith(".sjson"),
    );
    expect(signed.sort()).toEqual(["com.ubuntu.cloud-released-imagemetadata.sjson", "index.sjson"]);
    for (const name of signed) {
      const result = await gpgvVerify(join(root, "images/streams/v1", name), publicKey);
      expect(result.code, `${name}: ${result.stderr}`).toBe(0);
      expect(result.valid?.fingerprint).toBe(key.fingerprint);
    }
  });

  it("publishes no new generation when nothing changed", async () => {
    const before = await snapshot();
    const report = await sync();
    expect(report).toMatchObject({ ok: true, published: false, files: [] });
    expect(report.generation).toBeUndefined();
    expect(await snapshot()).toEqual(before);
    const status = await (await fetch(`${served.baseUrl}/status`)).json();
    expect(JSON.stringify(status)).toMatch(/"generation":1/);
  });

  it("keeps a failing region's ids while another region's replacement is published", async () => {
    double.setImages("RegionOne", [
      ubuntuImage(ONE_NOBLE_NEW, "24.04", "x86_64", { created_at: "2026-02-01T00:00:00Z" }),
      ubuntuImage(ONE_JAMMY_ARM, "22.04", "aarch64"),
    ]);
    double.failRegion("RegionTwo", 503);
    const report = await sync();
    expect(report).toMatchObject({ published: true, generation: 2 });
    expect(report.regions[0]).toMatchObject({ added: [ONE_NOBLE_NEW], removed: [ONE_NOBLE] });
    expect(report.regions[1]).toMatchObject({ status: "failed", published: 1, removed: [] });
    expect(report.warnings.join("\n")).toMatch(/region RegionTwo failed .*503/);
    expect(await lookup("RegionOne", "24.04", "amd64")).toBe(ONE_NOBLE_NEW);
    expect(await lookup("RegionTwo", "24.04", "amd64")).toBe(TWO_NOBLE);
    // The replaced image stays in the previous version for clients that resolved it.
    const products = await readFile(
      join(root, "images/streams/v1/com.ubuntu.cloud-released-imagemetadata.json"),
      "utf8",
    );
    expect(products).toContain(ONE_NOBLE);
  });
});
