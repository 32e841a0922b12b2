/**
 * `sync images` against a real Keystone and two real Glance APIs (started by
 * test/system/openstack-services.ts): images created with properties in each region are
 * published so that Juju's lookup finds the right id per region, and gpgv verifies the
 * signed files with the published key.
 */
import { randomUUID } from "node:crypto";
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createOpenStackSource } from "../../src/images/openstack-source.ts";
import type { GeneratedSigningKey } from "../../src/signing/generate-key.ts";
import { generateTestKey, gpgvVerify, temporaryDirectory } from "../../src/signing/test-support.ts";
import { createFsStore } from "../../src/store/fs.ts";
import { lookupImage } from "../../src/verify/index.ts";
import { runCli } from "../cli/run-cli.ts";
import { type ServedTree, serveTree } from "../images/serve-tree.ts";
import { startOpenStack } from "./openstack-services.ts";

type OpenStack = Awaited<ReturnType<typeof startOpenStack>>;

let openstack: OpenStack;
let served: ServedTree;
let key: GeneratedSigningKey;
let dir: string;
let root: string;
const ids = {
  oneNoble: randomUUID(),
  oneJammyArm: randomUUID(),
  twoNoble: randomUUID(),
  twoBare: randomUUID(),
};

function regionId(index: number): string {
  const region = openstack.regions[index];
  if (region === undefined) throw new Error(`the OpenStack starter has no region #${index + 1}`);
  return region.id;
}

function adminEnv(): Record<string, string> {
  const { username, password, projectName, userDomainName, projectDomainName } =
    openstack.adminCredentials;
  return {
    OS_AUTH_URL: openstack.authUrl,
    OS_USERNAME: username,
    OS_PASSWORD: password,
    OS_PROJECT_NAME: projectName,
    OS_USER_DOMAIN_NAME: userDomainName,
    OS_PROJECT_DOMAIN_NAME: projectDomainName,
    OS_INTERFACE: "public",
  };
}

async function sync(credentials: Record<string, string> = adminEnv()) {
  const { password } = openstack.adminCredentials;
  const result = await runCli(
    [
      "sync",
      "images",
      "--store",
      `file:${root}`,
      "--cloud",
      "lab",
      "--signing-key",
      join(dir, "signing-key.asc"),
      "--json",
    ],
    {
      cwd: dir,
      env: {
        OS_CLOUD: "",
        STREAMGATE_CONFIG: "",
        STREAMGATE_SIGNING_KEY: "",
        ...credentials,
      },
    },
  );
  if (result.code !== 0) throw new Error(`sync images exited ${result.code}: ${result.stderr}`);
  expect(result.stdout).not.toContain(password);
  expect(result.stderr).not.toContain(password);
  return JSON.parse(result.stdout);
}

async function lookup(region: string, version: string, arch: string) {
  const publicKey = await (await fetch(`${served.baseUrl}/keys/images.asc`)).text();
  const result = await lookupImage({
    baseUrl: `${served.baseUrl}/images`,
    keys: publicKey,
    requireSigned: true,
    region,
    endpoint: openstack.authUrl,
    version,
    arch,
  });
  if (result.outcome === "broken") throw new Error(result.reason);
  return result.outcome === "found" ? result.id : undefined;
}

beforeAll(async () => {
  openstack = await startOpenStack();
  key = await generateTestKey();
  dir = await temporaryDirectory("images-openstack");
  root = join(dir, "data");
  await writeFile(join(dir, "signing-key.asc"), key.privateKey, { mode: 0o600 });
  const ubuntu = (version: string, architecture: string) => ({
    os_distro: "ubuntu",
    os_version: version,
    architecture,
  });
  await openstack.createImage(regionId(0), {
    id: ids.oneNoble,
    name: "ubuntu-24.04-amd64",
    properties: ubuntu("24.04", "x86_64"),
  });
  await openstack.createImage(regionId(0), {
    id: ids.oneJammyArm,
    name: "ubuntu-jammy-arm64",
    properties: ubuntu("jammy", "aarch64"),
  });
  await openstack.createImage(regionId(1), {
    id: ids.twoNoble,
    name: "noble-server",
    properties: ubuntu("noble", "x86_64"),
  });
  await openstack.createImage(regionId(1), { id: ids.twoBare, name: "appliance", properties: {} });
  served = await serveTree(createFsStore({ root }));
});

afterAll(async () => {
  await served?.close();
  await openstack?.stop();
});

describe("sync images against Keystone + Glance", () => {
  it("publishes a tree in which Juju's lookup finds each region's own image", async () => {
    const report = await sync();
    expect(report).toMatchObject({ ok: true, published: true, signed: true, generation: 1 });
    expect(report.regions.map((region: { region: string }) => region.region)).toEqual(
      [regionId(0), regionId(1)].sort(),
    );
    const two = report.regions.find((region: { region: string }) => region.region === regionId(1));
    expect(two.unmapped.map((image: { id: string }) => image.id)).toEqual([ids.twoBare]);
    expect(await lookup(regionId(0), "24.04", "amd64")).toBe(ids.oneNoble);
    expect(await lookup(regionId(0), "22.04", "arm64")).toBe(ids.oneJammyArm);
    expect(await lookup(regionId(1), "24.04", "amd64")).toBe(ids.twoNoble);
    expect(await lookup(regionId(1), "22.04", "arm64")).toBeUndefined();
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
    }
  });

  it("publishes no new generation when the clouds did not change", async () => {
    const report = await sync();
    expect(report).toMatchObject({ ok: true, published: false, files: [] });
  });

  it("reads the same images with an application credential", async () => {
    const credential = await openstack.createApplicationCredential();
    const report = await sync({
      OS_AUTH_URL: openstack.authUrl,
      OS_AUTH_TYPE: "v3applicationcredential",
      OS_APPLICATION_CREDENTIAL_ID: credential.id,
      OS_APPLICATION_CREDENTIAL_SECRET: credential.secret,
    });
    expect(report).toMatchObject({ ok: true, published: false });
    expect(report.counts).toMatchObject({ regions: 2, regionsFailed: 0, published: 3 });
  });

  it("follows Glance's own next links page by page", async () => {
    const { username, password, projectName, userDomainName, projectDomainName } =
      openstack.adminCredentials;
    const requested: string[] = [];
    const listing = await createOpenStackSource({
      credentials: {
        authUrl: openstack.authUrl,
        auth: {
          type: "password",
          username,
          password,
          projectName,
          userDomainName,
          projectDomainName,
        },
      },
      pageSize: 1,
      fetch: (input, init) => {
        requested.push(input);
        return fetch(input, init);
      },
    }).list();
    const pages = requested.filter((url) => url.startsWith(`${openstack.regions[0]?.glanceUrl}/`));
    expect(pages.length).toBeGreaterThanOrEqual(2);
    expect(pages.slice(1).every((url) => url.includes("marker="))).toBe(true);
    const one = listing.regions.find((region) => region.region === regionId(0));
    expect(one?.ok && one.images.map((image) => image.id).sort()).toEqual(
      [ids.oneNoble, ids.oneJammyArm].sort(),
    );
  });
});
