import { readdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { temporaryDirectory } from "../../src/signing/test-support.ts";
import { runCli } from "../cli/run-cli.ts";
import {
  type OpenStackDouble,
  passwordEnv,
  startOpenStackDouble,
  ubuntuImage,
} from "./openstack-double.ts";

let double: OpenStackDouble;
let dir: string;

const CLEAN_ENV = {
  OS_CLOUD: "",
  STREAMGATE_SIGNING_KEY: "",
  STREAMGATE_CONFIG: "",
  STREAMGATE_STORE: "",
};

function cli(args: string[], env: Record<string, string> = {}) {
  return runCli(["sync", "images", "--store", `file:${join(dir, "data")}`, ...args], {
    cwd: dir,
    env: { ...CLEAN_ENV, ...env },
  });
}

async function storeFiles(): Promise<string[]> {
  try {
    return await readdir(join(dir, "data"), { recursive: true });
  } catch {
    return [];
  }
}

beforeAll(async () => {
  double = await startOpenStackDouble({
    regions: [{ name: "RegionOne", images: [ubuntuImage("img-1", "24.04", "x86_64")] }],
  });
});

afterAll(() => double.close());

describe("streamgate sync images", () => {
  it("exits 2 naming the key path of a bad static list", async () => {
    dir = await temporaryDirectory("images-cli");
    await writeFile(
      join(dir, "images.yaml"),
      "cloud: c\nendpoint: https://ks/v3\nregions:\n  RegionOne:\n    images:\n      - {id: a, version: '24.04', arch: sparc}\n",
    );
    const { code, stderr, stdout } = await cli(["--from", "images.yaml"]);
    expect(code).toBe(2);
    expect(stderr).toMatch(
      /invalid static image list images\.yaml: regions\.RegionOne\.images\[0\]\.arch: "sparc" is not/,
    );
    expect(stdout).toBe("");
    expect(await storeFiles()).toEqual([]);
  });

  it("exits 2 for an endpoint that is not a URL", async () => {
    dir = await temporaryDirectory("images-cli");
    const { code, stderr } = await cli(["--endpoint", "keystone:5000"], passwordEnv(double));
    expect(code).toBe(2);
    expect(stderr).toMatch(/`--endpoint` expects an http:\/\/ or https:\/\/ URL/);
  });

  it("exits 2 naming the OS_* variables that are missing", async () => {
    dir = await temporaryDirectory("images-cli");
    const { code, stderr } = await cli(["--cloud", "c"], { OS_AUTH_URL: double.authUrl });
    expect(code).toBe(2);
    expect(stderr).toMatch(/OS_USERNAME is not set/);
  });

  it("exits 1 when Keystone rejects the credentials, without printing the password", async () => {
    dir = await temporaryDirectory("images-cli");
    const env = { ...passwordEnv(double), OS_PASSWORD: "wrong-Passw0rd-xyz" };
    const { code, stderr, stdout } = await cli(["--cloud", "c", "--json"], env);
    expect(code).toBe(1);
    expect(stderr).toContain(
      `Keystone rejected the credentials for user ${double.user.name} at ${double.authUrl}`,
    );
    expect(`${stderr}${stdout}`).not.toContain("wrong-Passw0rd-xyz");
    const document = JSON.parse(stdout);
    expect(document.ok).toBe(false);
    expect(document.error).toMatch(/Keystone rejected the credentials/);
  });

  it("exits 1 when Keystone cannot be reached", async () => {
    dir = await temporaryDirectory("images-cli");
    const { code, stderr } = await cli(["--cloud", "c"], {
      ...passwordEnv(double),
      OS_AUTH_URL: "http://127.0.0.1:9/v3",
    });
    expect(code).toBe(1);
    expect(stderr).toMatch(/cannot reach Keystone at http:\/\/127\.0\.0\.1:9\/v3/);
  });

  it("changes nothing with --dry-run and prints one JSON document with --json", async () => {
    dir = await temporaryDirectory("images-cli");
    const { code, stdout } = await cli(
      ["--cloud", "c", "--dry-run", "--json"],
      passwordEnv(double),
    );
    expect(code).toBe(0);
    const document = JSON.parse(stdout);
    expect(document).toMatchObject({ ok: true, dryRun: true, published: false, cloud: "c" });
    expect(document.files.map((file: { key: string }) => file.key)).toContain(
      "images/streams/v1/index.json",
    );
    expect(await storeFiles()).toEqual([]);
  });

  it("publishes a static list unsigned, with the flags winning, and says so on stderr", async () => {
    dir = await temporaryDirectory("images-cli");
    await writeFile(
      join(dir, "images.json"),
      JSON.stringify({
        cloud: "from-file",
        endpoint: "https://from-file/v3",
        regions: { RegionOne: { images: [{ id: "s-1", version: "noble", arch: "amd64" }] } },
      }),
    );
    const { code, stderr, stdout } = await cli([
      "--from",
      "images.json",
      "--cloud",
      "from-flag",
      "--endpoint",
      "https://from-flag/v3",
    ]);
    expect(code).toBe(0);
    expect(stdout).toBe("");
    expect(stderr).toContain("images: cloud from-flag from static list images.json");
    expect(stderr).toContain("RegionOne: 1 image id(s) of 1 listed (+1 -0 ~0)");
    expect(stderr).toMatch(
      /published generation 1 \(version \d{8}\): 2 file\(s\) written, 0 deleted/,
    );
    expect(stderr).toMatch(/warning: no signing key/);
    const files = await storeFiles();
    expect(files).toContain(join("images", "streams", "v1", "index.json"));
    expect(files.filter((file) => file.endsWith(".sjson"))).toEqual([]);
  });
});
