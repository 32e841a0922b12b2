import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { imagesJobSchema } from "../config/schema.ts";
import { runJob } from "../scheduler/run-job.ts";
import type { GeneratedSigningKey } from "../signing/generate-key.ts";
import { generateTestKey, temporaryDirectory } from "../signing/test-support.ts";
import { createMemoryStore } from "../store/memory.ts";
import { ImagesInputError } from "./images-errors.ts";
import { createNodeImagesJob, openNodeImageSource } from "./node-images.ts";

const LIST = `
cloud: from-file
endpoint: https://keystone.example.com:5000/v3
regions:
  RegionOne:
    images: [{id: img-1, version: "24.04", arch: amd64}]
`;

let key: GeneratedSigningKey;
let dir: string;

beforeAll(async () => {
  key = await generateTestKey();
  dir = await temporaryDirectory("node-images");
  await writeFile(join(dir, "images.yaml"), LIST);
  await writeFile(join(dir, "signing-key.asc"), key.privateKey);
});

describe("openNodeImageSource", () => {
  it("reads a static list relative to the working folder", async () => {
    const source = await openNodeImageSource({ from: "images.yaml", cwd: dir, env: {} });
    expect(source.description).toBe("static list images.yaml");
    expect((await source.list()).cloud).toBe("from-file");
  });

  it("names a static list it cannot read", async () => {
    await expect(openNodeImageSource({ from: "missing.yaml", cwd: dir, env: {} })).rejects.toThrow(
      /cannot read the static image list .*missing\.yaml/,
    );
  });

  it("takes credentials from clouds.yaml when a cloud is named, else from OS_*", async () => {
    const cloudsDir = await temporaryDirectory("node-images-clouds");
    await writeFile(
      join(cloudsDir, "clouds.yaml"),
      "clouds:\n  lab:\n    auth: {auth_url: 'http://127.0.0.1:9/v3', application_credential_id: a, application_credential_secret: s}\n",
    );
    const named = await openNodeImageSource({
      from: "openstack",
      osCloud: "lab",
      cwd: cloudsDir,
      env: {},
    });
    expect(named.description).toBe("openstack (http://127.0.0.1:9/v3)");
    const viaEnv = await openNodeImageSource({
      from: "openstack",
      cwd: cloudsDir,
      env: { OS_CLOUD: "lab" },
      cloudsSearchPath: [cloudsDir],
    });
    expect(viaEnv.description).toBe("openstack (http://127.0.0.1:9/v3)");
    await expect(
      openNodeImageSource({ from: "openstack", cwd: cloudsDir, env: {} }),
    ).rejects.toThrow(ImagesInputError);
  });

  it("names a CA bundle it cannot read", async () => {
    await expect(
      openNodeImageSource({
        from: "openstack",
        cwd: dir,
        env: {
          OS_AUTH_URL: "https://ks/v3",
          OS_APPLICATION_CREDENTIAL_ID: "a",
          OS_APPLICATION_CREDENTIAL_SECRET: "s",
          OS_CACERT: "missing-ca.pem",
        },
      }),
    ).rejects.toThrow(/cannot read the CA bundle \(OS_CACERT\) .*missing-ca\.pem/);
  });
});

describe("createNodeImagesJob", () => {
  it("publishes a signed tree from the configured list and key file", async () => {
    const store = createMemoryStore();
    const config = imagesJobSchema.parse({
      cloud: "mycloud",
      from: "images.yaml",
      signingKey: "signing-key.asc",
    });
    const run = await runJob(createNodeImagesJob(config, { cwd: dir, env: {} }), { store });
    expect(run).toMatchObject({ outcome: "ok", generation: 1, errors: [] });
    expect(await store.head("images/streams/v1/index.sjson")).not.toBeNull();
  });

  it("signs with STREAMGATE_SIGNING_KEY when no key file is configured", async () => {
    const store = createMemoryStore();
    const config = imagesJobSchema.parse({ cloud: "mycloud", from: "images.yaml" });
    const env = { STREAMGATE_SIGNING_KEY: key.privateKey };
    await runJob(createNodeImagesJob(config, { cwd: dir, env }), { store });
    expect(await store.head("images/streams/v1/index.sjson")).not.toBeNull();
  });

  it("fails the run naming a key file it cannot read", async () => {
    const config = imagesJobSchema.parse({
      cloud: "mycloud",
      from: "images.yaml",
      signingKey: "nope.asc",
    });
    const run = await runJob(createNodeImagesJob(config, { cwd: dir, env: {} }), {
      store: createMemoryStore(),
    });
    expect(run.outcome).toBe("failed");
    expect(run.errors[0]).toMatch(/cannot read the signing key .*nope\.asc/);
  });
});
