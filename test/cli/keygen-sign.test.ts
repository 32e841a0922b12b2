import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { gpgvVerify, temporaryDirectory } from "../../src/signing/test-support.ts";
import { runCli } from "./run-cli.ts";

const INDEX = {
  format: "index:1.0",
  updated: "Mon, 23 Nov 2026 10:00:00 +0000",
  index: {
    "com.ubuntu.cloud:custom": {
      datatype: "image-ids",
      format: "products:1.0",
      path: "streams/v1/com.ubuntu.cloud-released-imagemetadata.json",
      products: ["com.ubuntu.cloud:server:24.04:amd64"],
      updated: "Mon, 23 Nov 2026 10:00:00 +0000",
    },
  },
};

const PRODUCTS = {
  content_id: "com.ubuntu.cloud:custom",
  format: "products:1.0",
  updated: "Mon, 23 Nov 2026 10:00:00 +0000",
  products: {
    "com.ubuntu.cloud:server:24.04:amd64": {
      arch: "amd64",
      version: "24.04",
      versions: {
        "20261123": {
          items: {
            "img-1": { id: "img-1", region: "RegionOne", endpoint: "https://ks:5000/v3" },
          },
        },
      },
    },
  },
};

describe("streamgate keygen + sign", () => {
  let keys: string;
  let tree: string;

  beforeAll(async () => {
    keys = join(await temporaryDirectory("streamgate-keys-"), "keys");
    tree = await temporaryDirectory("streamgate-tree-");
    await mkdir(join(tree, "streams/v1"), { recursive: true });
    await writeFile(join(tree, "streams/v1/index.json"), `${JSON.stringify(INDEX, null, 1)}\n`);
    await writeFile(
      join(tree, "streams/v1/com.ubuntu.cloud-released-imagemetadata.json"),
      // A line that starts with "-" exercises dash-escaping.
      `${JSON.stringify(PRODUCTS, null, 1)}\n`.replace(
        '"format": "products:1.0"',
        '"format": "products:1.0",\n "x_offsets": [\n-1\n]',
      ),
    );
  });

  it("writes an RSA-4096 key pair, the private half mode 0600, and prints the fingerprint", async () => {
    const { code, stdout } = await runCli(["keygen", "--out", keys]);
    expect(code).toBe(0);
    expect(stdout.trim()).toMatch(/^[0-9A-F]{40}$/);
    expect((await stat(join(keys, "signing-key.asc"))).mode & 0o777).toBe(0o600);
    expect(await readFile(join(keys, "signing-key.pub.asc"), "utf8")).toContain(
      "BEGIN PGP PUBLIC KEY BLOCK",
    );
  });

  it("refuses to overwrite an existing key pair without --force", async () => {
    const before = await readFile(join(keys, "signing-key.asc"), "utf8");
    const { code, stderr } = await runCli(["keygen", "--out", keys]);
    expect(code).toBe(2);
    expect(stderr).toContain("already exists; use --force");
    expect(await readFile(join(keys, "signing-key.asc"), "utf8")).toBe(before);
  });

  it("signs every .json twin so that gpgv accepts it and the index points at .sjson", async () => {
    const { code } = await runCli(["sign", tree, "--key", join(keys, "signing-key.asc")]);
    expect(code).toBe(0);
    const publicKey = await readFile(join(keys, "signing-key.pub.asc"), "utf8");
    for (const file of ["index.sjson", "com.ubuntu.cloud-released-imagemetadata.sjson"]) {
      const result = await gpgvVerify(join(tree, "streams/v1", file), publicKey);
      expect(result.code, result.stderr).toBe(0);
    }
    const signedIndex = await readFile(join(tree, "streams/v1/index.sjson"), "utf8");
    expect(signedIndex).toContain(
      '"path": "streams/v1/com.ubuntu.cloud-released-imagemetadata.sjson"',
    );
    const unsignedIndex = await readFile(join(tree, "streams/v1/index.json"), "utf8");
    expect(unsignedIndex).toContain(
      '"path": "streams/v1/com.ubuntu.cloud-released-imagemetadata.json"',
    );
  });

  it("is idempotent", async () => {
    const before = await readFile(join(tree, "streams/v1/index.sjson"), "utf8");
    const { code, stderr } = await runCli(["sign", tree, "--key", join(keys, "signing-key.asc")]);
    expect(code).toBe(0);
    expect(stderr).toContain("0 signed, 2 already up to date");
    expect(await readFile(join(tree, "streams/v1/index.sjson"), "utf8")).toBe(before);
  });

  it("exits 2 naming the problem for a directory without metadata or a missing key", async () => {
    const empty = await temporaryDirectory("streamgate-empty-");
    const noMetadata = await runCli(["sign", empty, "--key", join(keys, "signing-key.asc")]);
    expect(noMetadata.code).toBe(2);
    expect(noMetadata.stderr).toMatch(/streams\/v1/);
    const noKey = await runCli(["sign", tree, "--key", join(keys, "missing.asc")]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("cannot read the signing key");
  });
});
