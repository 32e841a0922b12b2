import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadCloudCredentials } from "./clouds-yaml.ts";
import { ImagesInputError } from "./images-errors.ts";

async function folders(...names: string[]): Promise<string[]> {
  const root = await mkdtemp(join(tmpdir(), "streamgate-clouds-"));
  const dirs = names.map((name) => join(root, name));
  for (const dir of dirs) await mkdir(dir, { recursive: true });
  return dirs;
}

const PROD = `
clouds:
  prod:
    auth:
      auth_url: https://keystone.prod:5000/v3
      username: sync
      project_name: images
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionOne
    interface: internal
  appcred:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.prod:5000
      application_credential_id: ac-1
      application_credential_secret: s3cret
    verify: false
    cacert: ./ca.pem
`;

async function problems(promise: Promise<unknown>): Promise<readonly string[]> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImagesInputError) return error.problems;
    throw error;
  }
  throw new Error("expected a refusal");
}

describe("loadCloudCredentials", () => {
  it("reads the first clouds.yaml on the search path and merges secure.yaml into it", async () => {
    const [cwd, user, site] = await folders("cwd", "user", "site");
    await writeFile(join(user as string, "clouds.yaml"), PROD);
    await writeFile(
      join(site as string, "clouds.yaml"),
      "clouds: {prod: {auth: {auth_url: https://wrong}}}",
    );
    await writeFile(
      join(site as string, "secure.yaml"),
      "clouds:\n  prod:\n    auth:\n      password: from-secure\n",
    );
    const credentials = await loadCloudCredentials({
      cloud: "prod",
      searchPath: [cwd as string, user as string, site as string],
    });
    expect(credentials).toEqual({
      authUrl: "https://keystone.prod:5000/v3",
      auth: {
        type: "password",
        username: "sync",
        password: "from-secure",
        userDomainName: "Default",
        projectName: "images",
        projectDomainName: "Default",
      },
      interface: "internal",
    });
  });

  it("reads application credentials, cacert and verify: false", async () => {
    const [dir] = await folders("one");
    await writeFile(join(dir as string, "clouds.yml"), PROD);
    const credentials = await loadCloudCredentials({
      cloud: "appcred",
      searchPath: [dir as string],
    });
    expect(credentials).toEqual({
      authUrl: "https://keystone.prod:5000",
      auth: { type: "applicationCredential", id: "ac-1", secret: "s3cret" },
      cacert: "./ca.pem",
      insecure: true,
    });
  });

  it("takes OS_CLIENT_CONFIG_FILE first, and a password the entry leaves out from OS_PASSWORD", async () => {
    const [dir, other] = await folders("dir", "other");
    await writeFile(join(dir as string, "clouds.yaml"), "clouds: {}");
    const explicit = join(other as string, "my-clouds.yaml");
    await writeFile(explicit, PROD);
    const credentials = await loadCloudCredentials({
      cloud: "prod",
      searchPath: [dir as string],
      env: { OS_CLIENT_CONFIG_FILE: explicit, OS_PASSWORD: "from-env", OS_USERNAME: "ignored" },
      interface: "public",
    });
    expect(credentials.auth).toMatchObject({ username: "sync", password: "from-env" });
    expect(credentials.interface).toBe("public");
  });

  it("names the missing keys of an entry", async () => {
    const [dir] = await folders("one");
    await writeFile(join(dir as string, "clouds.yaml"), PROD);
    const found = await problems(
      loadCloudCredentials({ cloud: "prod", searchPath: [dir as string] }),
    );
    expect(found).toEqual(["auth.password is not set"]);
  });

  it("says which clouds exist when the name is wrong, and where it searched when no file exists", async () => {
    const [dir, empty] = await folders("one", "empty");
    await writeFile(join(dir as string, "clouds.yaml"), PROD);
    expect(
      await problems(loadCloudCredentials({ cloud: "staging", searchPath: [dir as string] })),
    ).toEqual([
      `cloud staging is not in ${join(dir as string, "clouds.yaml")} (clouds: prod, appcred)`,
    ]);
    expect(
      await problems(loadCloudCredentials({ cloud: "prod", searchPath: [empty as string] })),
    ).toEqual([`no clouds.yaml found (searched ${join(empty as string, "clouds.yaml")})`]);
  });

  it("reports a clouds.yaml that is not YAML", async () => {
    const [dir] = await folders("one");
    await writeFile(join(dir as string, "clouds.yaml"), "clouds: [unclosed");
    expect(
      (await problems(loadCloudCredentials({ cloud: "prod", searchPath: [dir as string] }))).length,
    ).toBe(1);
  });
});
