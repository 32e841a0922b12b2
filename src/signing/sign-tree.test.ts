import { mkdir, readdir, readFile, symlink, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { clearsign } from "./clearsign.ts";
import type { GeneratedSigningKey } from "./generate-key.ts";
import { SignTreeError, signTree } from "./sign-tree.ts";
import { generateTestKey, gpgvVerify, temporaryDirectory } from "./test-support.ts";
import { verifyClearsigned } from "./verify-clearsigned.ts";

let key: GeneratedSigningKey;
let otherKey: GeneratedSigningKey;

beforeAll(async () => {
  [key, otherKey] = await Promise.all([generateTestKey(), generateTestKey("other key")]);
});

const IMAGES_INDEX = {
  index: {
    "com.ubuntu.cloud:released:mycloud": {
      updated: "Mon, 01 Jan 2024 00:00:00 +0000",
      clouds: [{ region: "RegionOne", endpoint: "https://keystone.example:5000/v3" }],
      cloudname: "mycloud",
      datatype: "image-ids",
      format: "products:1.0",
      path: "streams/v1/com.ubuntu.cloud-released-imagemetadata.json",
      products: ["com.ubuntu.cloud:server:24.04:amd64"],
    },
    "com.ubuntu.cloud:daily:mycloud": {
      datatype: "image-ids",
      format: "products:1.0",
      path: "streams/v1/com.ubuntu.cloud-daily-imagemetadata.json",
      products: ["com.ubuntu.cloud.daily:server:24.04:amd64"],
    },
  },
  updated: "Mon, 01 Jan 2024 00:00:00 +0000",
  format: "index:1.0",
};

function products(contentId: string) {
  return {
    content_id: contentId,
    format: "products:1.0",
    products: {
      "com.ubuntu.cloud:server:24.04:amd64": {
        arch: "amd64",
        version: "24.04",
        versions: { "20240101": { items: { r1: { id: "img-1", region: "RegionOne" } } } },
      },
    },
  };
}

/** Unsigned files as `juju metadata generate-image` and friends leave them, some of them odd. */
const TREE: Record<string, string> = {
  "images/streams/v1/index.json": `${JSON.stringify(IMAGES_INDEX, null, 4)}\n`,
  "images/streams/v1/com.ubuntu.cloud-released-imagemetadata.json": `${JSON.stringify(
    products("com.ubuntu.cloud:released:mycloud"),
    null,
    1,
  ).replace(/\n/g, "  \r\n")}\r\n`,
  "images/streams/v1/com.ubuntu.cloud-daily-imagemetadata.json": "[\n-1,\n-2\n]\n".replace(
    "[\n-1,\n-2\n]",
    JSON.stringify(products("com.ubuntu.cloud:daily:mycloud")),
  ),
  "tools/streams/v1/index2.json": `${JSON.stringify({
    index: {
      "com.ubuntu.juju:released:agents": {
        datatype: "content-download",
        format: "products:1.0",
        path: "streams/v1/com.ubuntu.juju-released-agents.json",
        products: ["com.ubuntu.juju:ubuntu:amd64"],
      },
    },
    format: "index:1.0",
  })}\n`,
  "tools/streams/v1/com.ubuntu.juju-released-agents.json": "[\n-1,\n-2\n]\n",
  "tools/streams/v1/mirrors.json": '{"format": "mirrors:1.0", "mirrors": {}}\n',
  "other/notes.json": "{}\n",
  "images/streams/v1/.draft.json": "{}\n",
  "images/streams/v1/README.txt": "not json\n",
};

const SIGNED = [
  "images/streams/v1/com.ubuntu.cloud-daily-imagemetadata.json",
  "images/streams/v1/com.ubuntu.cloud-released-imagemetadata.json",
  "images/streams/v1/index.json",
  "tools/streams/v1/com.ubuntu.juju-released-agents.json",
  "tools/streams/v1/index2.json",
  "tools/streams/v1/mirrors.json",
];

async function writeTree(files: Record<string, string>): Promise<string> {
  const root = await temporaryDirectory("tree");
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  return root;
}

async function listFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(root.length + 1))
    .sort();
}

async function snapshot(root: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for (const path of await listFiles(root)) {
    files[path] = await readFile(join(root, path), "utf8");
  }
  return files;
}

const twin = (path: string) => path.replace(/\.json$/, ".sjson");

describe("signTree", () => {
  it("writes a signed twin of every streams/v1 json file, and nothing else", async () => {
    const root = await writeTree(TREE);
    const results = await signTree(root, key.privateKey);
    expect(results.map((result) => result.source)).toEqual(SIGNED);
    expect(results.map((result) => result.target)).toEqual(SIGNED.map(twin));
    expect(results.every((result) => result.status === "written")).toBe(true);
    expect(await listFiles(root)).toEqual([...Object.keys(TREE), ...SIGNED.map(twin)].sort());
  });

  it("writes twins gpgv accepts, holding the source text with LF line ends and no trailing blanks", async () => {
    const root = await writeTree(TREE);
    await signTree(root, key.privateKey);
    for (const source of SIGNED.filter((path) => !/index2?\.json$/.test(path))) {
      const signed = await readFile(join(root, twin(source)), "utf8");
      expect(signed).not.toContain("\r");
      const gpgv = await gpgvVerify(join(root, twin(source)), key.publicKey);
      expect(gpgv.code).toBe(0);
      const expected = (TREE[source] ?? "").replace(/[ \t]*\r?\n/g, "\n");
      expect(gpgv.text).toBe(expected);
      expect((await verifyClearsigned(signed, key.publicKey)).text).toBe(expected);
    }
  });

  it("points the signed index at .sjson products and leaves the unsigned index alone", async () => {
    const root = await writeTree(TREE);
    const results = await signTree(root, key.privateKey);
    expect(await readFile(join(root, "images/streams/v1/index.json"), "utf8")).toBe(
      TREE["images/streams/v1/index.json"],
    );
    const gpgv = await gpgvVerify(join(root, "images/streams/v1/index.sjson"), key.publicKey);
    expect(gpgv.code).toBe(0);
    const signedIndex = JSON.parse(gpgv.text) as typeof IMAGES_INDEX;
    const paths = Object.values(signedIndex.index).map((entry) => entry.path);
    expect(paths).toEqual([
      "streams/v1/com.ubuntu.cloud-released-imagemetadata.sjson",
      "streams/v1/com.ubuntu.cloud-daily-imagemetadata.sjson",
    ]);
    for (const path of paths) {
      const product = await readFile(join(root, "images", path), "utf8");
      expect((await verifyClearsigned(product, key.publicKey)).keyId).toBe(key.keyId);
    }
    expect({ ...signedIndex, index: {} }).toEqual({ ...IMAGES_INDEX, index: {} });
    expect(signedIndex.index["com.ubuntu.cloud:released:mycloud"]).toEqual({
      ...IMAGES_INDEX.index["com.ubuntu.cloud:released:mycloud"],
      path: "streams/v1/com.ubuntu.cloud-released-imagemetadata.sjson",
    });
    expect(
      results.find((result) => result.source === "images/streams/v1/index.json")?.rewrites,
    ).toEqual([
      {
        contentId: "com.ubuntu.cloud:released:mycloud",
        from: "streams/v1/com.ubuntu.cloud-released-imagemetadata.json",
        to: "streams/v1/com.ubuntu.cloud-released-imagemetadata.sjson",
      },
      {
        contentId: "com.ubuntu.cloud:daily:mycloud",
        from: "streams/v1/com.ubuntu.cloud-daily-imagemetadata.json",
        to: "streams/v1/com.ubuntu.cloud-daily-imagemetadata.sjson",
      },
    ]);
    const tools = JSON.parse(
      (await gpgvVerify(join(root, "tools/streams/v1/index2.sjson"), key.publicKey)).text,
    );
    expect(tools.index["com.ubuntu.juju:released:agents"].path).toBe(
      "streams/v1/com.ubuntu.juju-released-agents.sjson",
    );
  });

  it("changes nothing on a second run", async () => {
    const root = await writeTree(TREE);
    await signTree(root, key.privateKey);
    const before = await snapshot(root);
    const again = await signTree(root, key.privateKey);
    expect(again.map((result) => result.status)).toEqual(SIGNED.map(() => "unchanged"));
    expect(await snapshot(root)).toEqual(before);
  });

  it("replaces stale, damaged and foreign twins, and only those", async () => {
    const root = await writeTree(TREE);
    await signTree(root, key.privateKey);
    const before = await snapshot(root);
    const changedSource = "tools/streams/v1/mirrors.json";
    await writeFile(join(root, changedSource), '{"format": "mirrors:1.0", "mirrors": {"x": []}}\n');
    const damaged = "images/streams/v1/com.ubuntu.cloud-daily-imagemetadata.sjson";
    await writeFile(join(root, damaged), "garbage");
    const foreign = "tools/streams/v1/com.ubuntu.juju-released-agents.sjson";
    await writeFile(
      join(root, foreign),
      await clearsign(
        TREE["tools/streams/v1/com.ubuntu.juju-released-agents.json"] ?? "",
        otherKey.privateKey,
      ),
    );

    const results = await signTree(root, key.privateKey);
    const written = results.filter((result) => result.status === "written").map((r) => r.target);
    expect(written.sort()).toEqual([damaged, twin(changedSource), foreign].sort());
    for (const target of written) {
      expect((await gpgvVerify(join(root, target), key.publicKey)).code).toBe(0);
    }
    const mirrors = await readFile(join(root, twin(changedSource)), "utf8");
    expect(JSON.parse((await verifyClearsigned(mirrors, key.publicKey)).text).mirrors).toEqual({
      x: [],
    });
    const after = await snapshot(root);
    for (const path of SIGNED.map(twin).filter((path) => !written.includes(path))) {
      expect(after[path]).toBe(before[path]);
    }
  });

  it("follows links to files and skips dangling ones", async () => {
    const root = await writeTree({
      "images/streams/v1/index.json": '{"format": "products:1.0"}\n',
      "shared/product.json": '{"format": "products:1.0", "products": {}}\n',
    });
    await symlink(join(root, "shared/product.json"), join(root, "images/streams/v1/linked.json"));
    await symlink(join(root, "nowhere.json"), join(root, "images/streams/v1/dangling.json"));
    const results = await signTree(root, key.privateKey);
    expect(results.map((result) => result.source)).toEqual([
      "images/streams/v1/index.json",
      "images/streams/v1/linked.json",
    ]);
    const linked = await readFile(join(root, "images/streams/v1/linked.sjson"), "utf8");
    expect((await verifyClearsigned(linked, key.publicKey)).text).toBe(
      '{"format": "products:1.0", "products": {}}\n',
    );
  });

  it("signs a streams/v1 directory given directly", async () => {
    const root = await writeTree(TREE);
    const results = await signTree(join(root, "images/streams/v1"), key.privateKey);
    expect(results.map((result) => result.source)).toEqual([
      "com.ubuntu.cloud-daily-imagemetadata.json",
      "com.ubuntu.cloud-released-imagemetadata.json",
      "index.json",
    ]);
  });

  it("fails clearly when there is no streams/v1 json to sign", async () => {
    const root = await writeTree({ "other/notes.json": "{}\n", "streams/v2/index.json": "{}\n" });
    await expect(signTree(root, key.privateKey)).rejects.toThrow(
      /nothing to sign: no streams\/v1\/\*\.json file under/,
    );
    await expect(signTree(join(root, "missing"), key.privateKey)).rejects.toThrow(
      /is not a directory/,
    );
    await expect(signTree(join(root, "other/notes.json"), key.privateKey)).rejects.toThrow(
      SignTreeError,
    );
  });

  it("names a file that is not JSON and writes nothing", async () => {
    const root = await writeTree({ ...TREE, "images/streams/v1/broken.json": '{"a": ' });
    await expect(signTree(root, key.privateKey)).rejects.toThrow(
      /cannot read "images\/streams\/v1\/broken\.json" as JSON/,
    );
    expect(await listFiles(root)).toEqual(
      [...Object.keys(TREE), "images/streams/v1/broken.json"].sort(),
    );
  });

  it("refuses an index naming a product file that is not in the tree, and writes nothing", async () => {
    const { "images/streams/v1/com.ubuntu.cloud-daily-imagemetadata.json": _daily, ...rest } = TREE;
    const root = await writeTree(rest);
    await expect(signTree(root, key.privateKey)).rejects.toThrow(
      /entry "com\.ubuntu\.cloud:daily:mycloud" names "streams\/v1\/com\.ubuntu\.cloud-daily-imagemetadata\.json"/,
    );
    expect(await listFiles(root)).toEqual(Object.keys(rest).sort());
  });

  it("refuses a key Juju could not verify before touching the tree", async () => {
    const root = await writeTree(TREE);
    await expect(signTree(root, key.publicKey)).rejects.toThrow(/signing needs the private key/);
    expect(await listFiles(root)).toEqual(Object.keys(TREE).sort());
  });
});
