import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtemp, readdir, readFile, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gunzipSync } from "node:zlib";
import { beforeAll, describe, expect, it } from "vitest";
import {
  DEFAULT_UPDATED,
  makeUpstream,
  parseByteSize,
  type UpstreamFixture,
} from "../../scripts/make-upstream.ts";
import {
  flattenProducts,
  parseIndex,
  parseJsonDocument,
  parseProducts,
} from "../../src/core/index.ts";
import type { GeneratedSigningKey } from "../../src/signing/index.ts";
import { generateTestKey, gpgvVerify } from "../../src/signing/test-support.ts";

const SCRIPT = join(import.meta.dirname, "../../scripts/make-upstream.ts");

let key: GeneratedSigningKey;
let fixture: UpstreamFixture;

async function temporaryTree(): Promise<string> {
  return join(await mkdtemp(join(tmpdir(), "streamgate-make-upstream-")), "juju", "tools");
}

async function readText(path: string): Promise<string> {
  return readFile(join(fixture.root, path), "utf8");
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => relative(root, join(entry.parentPath, entry.name)))
    .sort();
}

function products(text: string) {
  return parseProducts(parseJsonDocument(text));
}

beforeAll(async () => {
  key = await generateTestKey("fixture upstream");
  fixture = await makeUpstream({ out: await temporaryTree(), signingKey: key });
});

describe("makeUpstream", () => {
  it("signs every .sjson so that gpgv accepts it with the fixture key", async () => {
    const signed = fixture.files.filter((file) => file.endsWith(".sjson"));
    expect(signed).toContain("streams/v1/index2.sjson");
    expect(signed).toContain("streams/v1/index.sjson");
    for (const file of signed) {
      const result = await gpgvVerify(join(fixture.root, file), fixture.publicKey);
      expect(result.code, `${file}: ${result.stderr}`).toBe(0);
      expect(result.valid?.fingerprint).toBe(key.fingerprint);
      expect(result.valid?.signedAt).toEqual(DEFAULT_UPDATED);
    }
  });

  it("signs exactly the .json twin's text, with index paths pointing at .sjson files", async () => {
    for (const file of fixture.files.filter((name) => name.endsWith(".sjson"))) {
      const { text } = await gpgvVerify(join(fixture.root, file), fixture.publicKey);
      const twin = await readText(file.replace(/\.sjson$/, ".json"));
      const expected = file.includes("/index")
        ? twin.replaceAll(/("path": "[^"]+)\.json"/g, '$1.sjson"')
        : twin;
      expect(text).toBe(expected);
    }
    expect(await readText("streams/v1/index2.json")).toMatch(/\.json"/);
    expect(await readText("streams/v1/index2.json")).not.toMatch(/\.sjson"/);
  });

  it("lists every content id in index2 and only released tools in the legacy index", async () => {
    const index2 = parseIndex(parseJsonDocument(await readText("streams/v1/index2.json")));
    expect(Object.keys(index2.index).sort()).toEqual([
      "com.ubuntu.juju:devel:agents",
      "com.ubuntu.juju:proposed:agents",
      "com.ubuntu.juju:released:agents",
      "com.ubuntu.juju:released:tools",
    ]);
    expect(Object.keys(fixture.contentIds).sort()).toEqual(Object.keys(index2.index).sort());
    const legacy = parseIndex(parseJsonDocument(await readText("streams/v1/index.json")));
    expect(Object.keys(legacy.index)).toEqual(["com.ubuntu.juju:released:tools"]);
    for (const entry of Object.values(index2.index)) {
      expect(entry.datatype).toBe("content-download");
      expect(entry.format).toBe("products:1.0");
      expect(entry.updated).toBe("Mon, 23 Nov 2026 10:00:00 +0000");
    }
    expect(index2.updated).toBe(fixture.updated);
  });

  it("names product files at upstream's paths, each listing the product ids the index claims", async () => {
    const index2 = parseIndex(parseJsonDocument(await readText("streams/v1/index2.json")));
    const signed = parseIndex(
      parseJsonDocument(
        (await gpgvVerify(join(fixture.root, "streams/v1/index2.sjson"), fixture.publicKey)).text,
      ),
    );
    expect(index2.index["com.ubuntu.juju:released:agents"]?.path).toBe(
      "streams/v1/com.ubuntu.juju-released-agents.json",
    );
    expect(signed.index["com.ubuntu.juju:released:tools"]?.path).toBe(
      "streams/v1/com.ubuntu.juju-released-tools.sjson",
    );
    for (const [contentId, entry] of Object.entries(index2.index)) {
      const document = products(await readText(entry.path));
      expect(document.content_id).toBe(contentId);
      expect(Object.keys(document.products).sort()).toEqual([...entry.products].sort());
      expect(fixture.contentIds[contentId]?.productIds).toEqual(entry.products);
      expect(signed.index[contentId]?.path).toBe(fixture.contentIds[contentId]?.signedPath);
    }
  });

  it("describes tarballs whose size, sha256 and md5 match the bytes on disk", async () => {
    expect(fixture.tarballs.length).toBeGreaterThan(20);
    for (const tarball of fixture.tarballs) {
      const bytes = await readFile(join(fixture.root, tarball.path));
      expect(bytes.length).toBe(tarball.size);
      expect(createHash("sha256").update(bytes).digest("hex")).toBe(tarball.sha256);
      expect(createHash("md5").update(bytes).digest("hex")).toBe(tarball.md5);
    }
  });

  it("lists every tarball with the size and digests of the file, at a path that resolves", async () => {
    const byPath = new Map(fixture.tarballs.map((tarball) => [tarball.path, tarball]));
    let items = 0;
    for (const content of Object.values(fixture.contentIds)) {
      for (const { fields } of flattenProducts(products(await readText(content.path)))) {
        items++;
        const tarball = byPath.get(fields.path ?? "");
        expect(tarball, fields.path).toBeDefined();
        expect(fields).toMatchObject({
          size: tarball?.size,
          sha256: tarball?.sha256,
          md5: tarball?.md5,
          ftype: "tar.gz",
          version: tarball?.version,
          arch: tarball?.arch,
        });
        await expect(stat(join(fixture.root, fields.path ?? ""))).resolves.toBeTruthy();
      }
    }
    expect(items).toBe(fixture.tarballs.reduce((sum, tarball) => sum + tarball.items.length, 0));
  });

  it("shares one agent tarball between the ubuntu and centos items and across streams", async () => {
    const path = "agent/3.6.12/juju-3.6.12-linux-amd64.tgz";
    const tarball = fixture.tarballs.find((candidate) => candidate.path === path);
    expect(tarball?.streams).toEqual(["proposed", "released"]);
    expect(
      tarball?.items.map((item) => `${item.contentId} ${item.productId} ${item.itemKey}`).sort(),
    ).toEqual([
      "com.ubuntu.juju:proposed:agents com.ubuntu.juju:centos:amd64 3.6.12-centos-amd64",
      "com.ubuntu.juju:proposed:agents com.ubuntu.juju:ubuntu:amd64 3.6.12-ubuntu-amd64",
      "com.ubuntu.juju:released:agents com.ubuntu.juju:centos:amd64 3.6.12-centos-amd64",
      "com.ubuntu.juju:released:agents com.ubuntu.juju:ubuntu:amd64 3.6.12-ubuntu-amd64",
    ]);
    const released = flattenProducts(
      products(await readText("streams/v1/com.ubuntu.juju-released-agents.json")),
    ).filter((item) => item.fields.path === path);
    expect(released.map((item) => item.fields.release).sort()).toEqual(["centos", "ubuntu"]);
  });

  it("leaves some fields to be inherited from the product, as upstream does", async () => {
    const agents = products(await readText("streams/v1/com.ubuntu.juju-released-agents.json"));
    const centos = agents.products["com.ubuntu.juju:centos:amd64"];
    expect(centos?.arch).toBe("amd64");
    const centosItem = Object.values(Object.values(centos?.versions ?? {})[0]?.items ?? {})[0];
    expect(centosItem?.arch).toBeUndefined();
    expect(flattenProducts(agents).every((item) => item.fields.arch !== undefined)).toBe(true);

    const tools = products(await readText("streams/v1/com.ubuntu.juju-released-tools.json"));
    const focal = tools.products["com.ubuntu.juju:20.04:amd64"];
    expect(focal).toMatchObject({ arch: "amd64", release: "focal" });
    const flat = flattenProducts(tools).find(
      (item) => item.productId === "com.ubuntu.juju:20.04:amd64",
    );
    expect(flat?.item.release).toBeUndefined();
    expect(flat?.fields).toMatchObject({
      release: "focal",
      arch: "amd64",
      path: expect.stringMatching(/^releases\/juju-2\.8\.11-focal-amd64\.tgz$/),
    });
  });

  it("publishes several versions per minor over several dated version collections", async () => {
    const agents = products(await readText("streams/v1/com.ubuntu.juju-released-agents.json"));
    const amd64 = agents.products["com.ubuntu.juju:ubuntu:amd64"];
    const keys = Object.keys(amd64?.versions ?? {});
    expect(keys.length).toBeGreaterThan(4);
    for (const versionKey of keys) expect(versionKey).toMatch(/^\d{8}$/);
    const versions = flattenProducts(agents).map((item) => item.fields.version);
    expect(new Set(versions)).toEqual(
      new Set(["2.9.51", "3.4.6", "3.5.3", "3.5.4", "3.5.5", "3.6.0", "3.6.9", "3.6.12"]),
    );
    const devel = products(await readText("streams/v1/com.ubuntu.juju-devel-agents.json"));
    expect(new Set(flattenProducts(devel).map((item) => item.fields.version))).toEqual(
      new Set(["3.7-beta1"]),
    );
  });

  it("writes real gzip'd tar archives holding jujud, each of a different size", async () => {
    for (const tarball of fixture.tarballs) {
      const tar = gunzipSync(await readFile(join(fixture.root, tarball.path)));
      const header = tar.subarray(0, 512);
      expect(header.toString("ascii", 0, 5)).toBe("jujud");
      expect(header.toString("ascii", 257, 262)).toBe("ustar");
      const size = Number.parseInt(header.toString("ascii", 124, 135), 8);
      const checksum = Number.parseInt(header.toString("ascii", 148, 154), 8);
      const sum = [...header].reduce(
        (total, byte, i) => total + (i >= 148 && i < 156 ? 0x20 : byte),
        0,
      );
      expect(checksum).toBe(sum);
      expect(tar.length).toBe(512 + Math.ceil(size / 512) * 512 + 1024);
      expect(tar.subarray(512, 512 + size).toString("latin1")).toContain(
        `jujud ${tarball.version} ${tarball.os}/${tarball.arch}`,
      );
    }
    const sizes = new Set(fixture.tarballs.map((tarball) => tarball.size));
    expect(sizes.size).toBe(fixture.tarballs.length);
  });

  it("writes byte-identical trees for the same seed, date and key", async () => {
    const again = await makeUpstream({ out: await temporaryTree(), signingKey: key });
    const files = await listFiles(fixture.root);
    expect(await listFiles(again.root)).toEqual(files);
    for (const file of files) {
      const [a, b] = await Promise.all([
        readFile(join(fixture.root, file)),
        readFile(join(again.root, file)),
      ]);
      expect(a.equals(b), file).toBe(true);
    }
    const { root: _a, url: _b, ...description } = fixture;
    const { root: _c, url: _d, ...againDescription } = again;
    expect(againDescription).toEqual(description);
  });

  it("changes the tarball bytes with the seed", async () => {
    const other = await makeUpstream({
      out: await temporaryTree(),
      signingKey: key,
      seed: "another seed",
      versions: ["3.6.12"],
    });
    const mine = fixture.tarballs.find((tarball) => tarball.path === other.tarballs[0]?.path);
    expect(other.tarballs[0]?.sha256).not.toBe(mine?.sha256);
  });

  it("narrows the tree to the versions and arches asked for", async () => {
    const narrow = await makeUpstream({
      out: await temporaryTree(),
      signingKey: key,
      versions: ["3.6.12", "3.7-beta1", { version: "3.8.1", date: "20261120" }],
      arches: ["arm64"],
      updated: new Date("2026-11-21T08:30:00Z"),
    });
    expect(narrow.tarballs.map((tarball) => tarball.path)).toEqual([
      "agent/3.6.12/juju-3.6.12-linux-arm64.tgz",
      "agent/3.7-beta1/juju-3.7-beta1-linux-arm64.tgz",
      "agent/3.8.1/juju-3.8.1-linux-arm64.tgz",
    ]);
    expect(Object.keys(narrow.contentIds).sort()).toEqual([
      "com.ubuntu.juju:devel:agents",
      "com.ubuntu.juju:proposed:agents",
      "com.ubuntu.juju:released:agents",
    ]);
    expect(narrow.updated).toBe("Sat, 21 Nov 2026 08:30:00 +0000");
    const legacy = parseIndex(
      parseJsonDocument(await readFile(join(narrow.root, "streams/v1/index.json"), "utf8")),
    );
    expect(legacy.index).toEqual({});
    const released = products(
      await readFile(join(narrow.root, "streams/v1/com.ubuntu.juju-released-agents.json"), "utf8"),
    );
    expect(Object.keys(released.products["com.ubuntu.juju:ubuntu:arm64"]?.versions ?? {})).toEqual([
      "20251105",
      "20261120",
    ]);
  });

  it("refuses a version Juju could not parse", async () => {
    await expect(
      makeUpstream({ out: await temporaryTree(), signingKey: key, versions: ["3.6"] }),
    ).rejects.toThrow(/invalid Juju version "3\.6"/);
  });

  it("streams tarballs of about the requested size", async () => {
    const size = 3 * 1024 * 1024;
    const big = await makeUpstream({
      out: await temporaryTree(),
      signingKey: key,
      versions: ["3.6.12"],
      arches: ["amd64"],
      tarballSize: size,
    });
    const [tarball] = big.tarballs;
    expect(tarball?.size).toBeGreaterThan(size * 0.99);
    expect(tarball?.size).toBeLessThan(size * 1.01);
    const bytes = await readFile(join(big.root, tarball?.path ?? ""));
    expect(createHash("sha256").update(bytes).digest("hex")).toBe(tarball?.sha256);
  });
});

describe("parseByteSize", () => {
  it.each([
    ["64MiB", 64 * 1024 * 1024],
    ["500KB", 500_000],
    ["1048576", 1_048_576],
    ["2 GiB", 2 * 1024 ** 3],
  ])("reads %s", (input, bytes) => {
    expect(parseByteSize(input)).toBe(bytes);
  });

  it.each(["", "12XB", "-1MiB", "1.5MiB"])("refuses %j", (input) => {
    expect(() => parseByteSize(input)).toThrow(/invalid size/);
  });
});

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runScript(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [SCRIPT, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    child.once("error", reject);
    child.once("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("node scripts/make-upstream.ts", () => {
  it("writes the tree and the public key, and describes it with --json", async () => {
    const out = await temporaryTree();
    const keys = join(out, "..", "..", "keys");
    const run = await runScript([
      "--out",
      out,
      "--key-out",
      keys,
      "--versions",
      "3.6.12,2.8.11",
      "--arches",
      "amd64",
      "--json",
    ]);
    expect(run.stderr).toContain("make-upstream: wrote");
    expect(run.code).toBe(0);
    const described = JSON.parse(run.stdout) as Omit<UpstreamFixture, "privateKey">;
    expect(described).not.toHaveProperty("privateKey");
    expect(described.tarballs.map((tarball) => tarball.path)).toEqual([
      "agent/3.6.12/juju-3.6.12-linux-amd64.tgz",
      "releases/juju-2.8.11-bionic-amd64.tgz",
      "releases/juju-2.8.11-focal-amd64.tgz",
    ]);
    const publicKey = await readFile(join(keys, "upstream-key.pub.asc"), "utf8");
    expect(publicKey).toBe(described.publicKey);
    expect((await stat(join(keys, "upstream-key.sec.asc"))).mode & 0o777).toBe(0o600);
    const verified = await gpgvVerify(join(out, "streams/v1/index.sjson"), publicKey);
    expect(verified.code).toBe(0);
  });

  it("exits 2 with usage on bad input", async () => {
    const missingOut = await runScript(["--versions", "3.6.12"]);
    expect(missingOut.code).toBe(2);
    expect(missingOut.stderr).toContain("--out DIR is required");
    const badSize = await runScript(["--out", await temporaryTree(), "--tarball-size", "lots"]);
    expect(badSize.code).toBe(2);
    expect(badSize.stderr).toContain('invalid size "lots"');
  });

  it("leaves nothing behind when only asked for help", async () => {
    const out = await temporaryTree();
    const run = await runScript(["--help", "--out", out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Usage: node scripts/make-upstream.ts");
    await expect(stat(out)).rejects.toThrow(/ENOENT/);
  });
});
