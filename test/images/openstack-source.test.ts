import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { imagesJobSchema } from "../../src/config/schema.ts";
import type { SourceListing } from "../../src/images/image-source.ts";
import { ImageSourceError } from "../../src/images/images-errors.ts";
import { createImagesJobFromEnv } from "../../src/images/images-job-from-env.ts";
import type { OpenStackCredentials } from "../../src/images/openstack-credentials.ts";
import { createOpenStackSource } from "../../src/images/openstack-source.ts";
import { runJob } from "../../src/scheduler/run-job.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import {
  type DoubleImage,
  type OpenStackDouble,
  passwordEnv,
  startOpenStackDouble,
  ubuntuImage,
} from "./openstack-double.ts";

function images(prefix: string, count: number): DoubleImage[] {
  return Array.from({ length: count }, (_, i) =>
    ubuntuImage(`${prefix}-${String(i).padStart(3, "0")}`, "24.04", "x86_64"),
  );
}

let double: OpenStackDouble;

beforeAll(async () => {
  double = await startOpenStackDouble({
    regions: [
      { name: "RegionOne", images: [...images("one", 7), { id: "queued", status: "queued" }] },
      { name: "RegionTwo", images: images("two", 3) },
      { name: "RegionThree", withoutImageService: true },
    ],
  });
});

afterAll(() => double.close());

afterEach(() => {
  double.failRegion("RegionOne", undefined);
  double.failRegion("RegionTwo", undefined);
  double.requests.length = 0;
});

function password(overrides: Partial<OpenStackCredentials["auth"]> = {}): OpenStackCredentials {
  return {
    authUrl: double.authUrl,
    auth: {
      type: "password",
      username: double.user.name,
      password: double.user.password,
      userDomainName: "Default",
      projectName: double.user.project.name,
      projectDomainId: "default",
      ...overrides,
    } as OpenStackCredentials["auth"],
  };
}

function ids(listing: SourceListing, region: string): string[] {
  const found = listing.regions.find((candidate) => candidate.region === region);
  if (found === undefined || !found.ok) throw new Error(`region ${region} was not listed`);
  return found.images.map((image) => image.id).sort();
}

describe("createOpenStackSource against Keystone v3 + Glance v2", () => {
  it("lists the active images of every region with an image endpoint", async () => {
    const listing = await createOpenStackSource({ credentials: password() }).list();
    expect(listing.endpoint).toBe(double.authUrl);
    expect(listing.regions.map((region) => region.region)).toEqual(["RegionOne", "RegionTwo"]);
    expect(listing.regionsWithoutImages).toEqual(["RegionThree"]);
    expect(ids(listing, "RegionOne")).toEqual(images("one", 7).map((image) => image.id));
    expect(ids(listing, "RegionTwo")).toEqual(["two-000", "two-001", "two-002"]);
  });

  it("passes Glance properties through and keeps created_at", async () => {
    const listing = await createOpenStackSource({ credentials: password() }).list();
    const region = listing.regions[1];
    const image = region?.ok ? region.images[0] : undefined;
    expect(image?.properties).toMatchObject({
      os_distro: "ubuntu",
      os_version: "24.04",
      architecture: "x86_64",
    });
    expect(image?.createdAt).toBe("2026-01-01T00:00:00Z");
  });

  it("follows Glance's relative next links page by page", async () => {
    await createOpenStackSource({ credentials: password(), pageSize: 3 }).list();
    const pages = double.requests.filter((request) =>
      request.path.startsWith("/glance/RegionOne/"),
    );
    // 8 images (7 active, 1 queued) in pages of 3.
    expect(pages.map((request) => request.path)).toEqual([
      "/glance/RegionOne/v2/images?limit=3&status=active",
      "/glance/RegionOne/v2/images?limit=3&marker=one-004&status=active",
      "/glance/RegionOne/v2/images?limit=3&marker=one-001&status=active",
    ]);
  });

  it("uses the interface it is given", async () => {
    await createOpenStackSource({ credentials: { ...password(), interface: "internal" } }).list();
    const glance = double.requests.filter((request) => request.path.includes("/v2/images"));
    expect(glance.length).toBeGreaterThan(0);
    expect(glance.every((request) => request.path.startsWith("/glance-internal/"))).toBe(true);
  });

  it("authenticates with an application credential by id or by name", async () => {
    const credential = double.applicationCredential;
    const byId = await createOpenStackSource({
      credentials: {
        authUrl: double.authUrl,
        auth: { type: "applicationCredential", id: credential.id, secret: credential.secret },
      },
    }).list();
    expect(byId.regions).toHaveLength(2);
    const byName = await createOpenStackSource({
      credentials: {
        authUrl: double.authUrl,
        auth: {
          type: "applicationCredential",
          name: credential.name,
          secret: credential.secret,
          username: double.user.name,
          userDomainId: "default",
        },
      },
    }).list();
    expect(byName.regions).toHaveLength(2);
  });

  it("says Keystone rejected the credentials, naming the user and URL but never the password", async () => {
    const wrong = "not-the-password-123";
    const failure = createOpenStackSource({ credentials: password({ password: wrong }) }).list();
    await expect(failure).rejects.toThrow(ImageSourceError);
    const error = (await failure.catch((caught: Error) => caught)) as Error;
    expect(error.message).toContain(
      `Keystone rejected the credentials for user ${double.user.name} at ${double.authUrl} (HTTP 401)`,
    );
    expect(error.message).not.toContain(wrong);
    expect(error.message).not.toContain(double.user.password);
  });

  it("names a rejected application credential without its secret", async () => {
    const error = await createOpenStackSource({
      credentials: {
        authUrl: double.authUrl,
        auth: { type: "applicationCredential", id: "ac-unknown", secret: "wrong-secret" },
      },
    })
      .list()
      .catch((caught: Error) => caught);
    expect((error as Error).message).toMatch(
      /rejected the credentials for application credential ac-unknown at/,
    );
    expect((error as Error).message).not.toContain("wrong-secret");
  });

  it("fails only the region whose Glance answers 503", async () => {
    double.failRegion("RegionTwo", 503);
    const listing = await createOpenStackSource({ credentials: password() }).list();
    expect(ids(listing, "RegionOne")).toHaveLength(7);
    expect(listing.regions[1]).toEqual({
      region: "RegionTwo",
      ok: false,
      error: expect.stringMatching(
        /^Glance of region RegionTwo at .* answered HTTP 503: 503 injected by the double$/,
      ),
    });
  });

  it("reports a region whose Glance refuses the token", async () => {
    double.failRegion("RegionOne", 401);
    const listing = await createOpenStackSource({ credentials: password() }).list();
    const [one] = listing.regions;
    expect(one?.ok).toBe(false);
    expect(one?.ok === false && one.error).toMatch(
      /HTTP 401 \(the Keystone token was not accepted\)/,
    );
  });

  it("says when Keystone cannot be reached", async () => {
    const closed = await startOpenStackDouble({ regions: [] });
    await closed.close();
    const error = await createOpenStackSource({
      credentials: { ...password(), authUrl: closed.authUrl },
    })
      .list()
      .catch((caught: Error) => caught);
    expect(error).toBeInstanceOf(ImageSourceError);
    expect((error as Error).message).toMatch(
      /^\[streamgate\] \[keystone\] cannot reach Keystone at http:\/\/127\.0\.0\.1:\d+\/identity\/v3: /,
    );
  });

  it("gives up on a Keystone that does not answer within the timeout", async () => {
    const hanging = (_input: string, init?: RequestInit) =>
      new Promise<Response>((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      });
    const error = await createOpenStackSource({
      credentials: password(),
      fetch: hanging,
      timeoutMs: 5,
    })
      .list()
      .catch((caught: Error) => caught);
    expect((error as Error).message).toMatch(/Keystone at .* did not answer within 0\.005 s/);
  });

  it("stops when its caller aborts", async () => {
    const controller = new AbortController();
    controller.abort(new Error("shutting down"));
    await expect(
      createOpenStackSource({ credentials: password() }).list({ signal: controller.signal }),
    ).rejects.toThrow("shutting down");
  });
});

describe("createImagesJobFromEnv (Workers)", () => {
  const config = imagesJobSchema.parse({ cloud: "mycloud" });

  it("publishes from the OS_* secrets", async () => {
    const store = createMemoryStore();
    const job = createImagesJobFromEnv(config, { ...passwordEnv(double), MIRROR: {} });
    const run = await runJob(job, { store });
    expect(run.outcome).toBe("ok");
    expect(run.generation).toBe(1);
    expect(run.counts).toMatchObject({ regions: 2, published: 2 });
    expect(await store.head("images/streams/v1/index.json")).not.toBeNull();
  });

  it("fails the run, not the Worker, when the configuration needs files", async () => {
    const job = createImagesJobFromEnv({ ...config, from: "images.yaml" }, passwordEnv(double));
    const run = await runJob(job, { store: createMemoryStore() });
    expect(run.outcome).toBe("failed");
    expect(run.errors[0]).toMatch(/from: images\.yaml needs a file/);
  });

  it("fails the run naming the missing secrets", async () => {
    const run = await runJob(createImagesJobFromEnv(config, {}), { store: createMemoryStore() });
    expect(run.errors[0]).toMatch(/OS_AUTH_URL is not set/);
  });
});
