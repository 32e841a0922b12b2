import { describe, expect, it } from "vitest";
import { imagesJobSchema } from "../config/schema.ts";
import type { JobContext } from "../scheduler/job.ts";
import { readJobState } from "../scheduler/job-state-store.ts";
import { runJob } from "../scheduler/run-job.ts";
import { createMemoryStore } from "../store/memory.ts";
import { createLeaseLock } from "../sync/lease-lock.ts";
import type { ImageSource } from "./image-source.ts";
import { createImagesJob, type ImagesJobResult } from "./images-job.ts";
import { IMAGES_LOCK_KEY } from "./images-lock.ts";
import { createStaticImageSource, parseStaticImageList } from "./static-image-list.ts";

const LIST = `
endpoint: https://keystone.example.com:5000/v3
regions:
  RegionOne:
    images: [{id: img-1, version: "24.04", arch: amd64}]
`;

const config = imagesJobSchema.parse({ cloud: "mycloud", from: "images.yaml", keepGenerations: 1 });

describe("createImagesJob", () => {
  it("is the images job on the configured cron", () => {
    const job = createImagesJob(
      { ...config, cron: "5 * * * *", runOnStart: false },
      {
        openSource: () => createStaticImageSource(parseStaticImageList(LIST, "x"), "x"),
      },
    );
    expect(job).toMatchObject({ name: "images", cron: "5 * * * *", runOnStart: false });
  });

  it("grows the generation only when it publishes, and returns the report", async () => {
    const store = createMemoryStore();
    let opened = 0;
    const job = createImagesJob(config, {
      openSource: () => {
        opened++;
        return createStaticImageSource(parseStaticImageList(LIST, "images.yaml"), "images.yaml");
      },
    });
    const first = await runJob(job, { store });
    const second = await runJob(job, { store });
    expect([first.outcome, first.generation, second.outcome, second.generation]).toEqual([
      "ok",
      1,
      "ok",
      undefined,
    ]);
    expect(first.counts).toMatchObject({ published: 1, added: 1 });
    expect(first.errors[0]).toMatch(/^no signing key/);
    expect((await readJobState(store, "images"))?.generation).toBe(1);
    expect(opened).toBe(2);

    const result = (await job.run({
      store,
      signal: new AbortController().signal,
      log: () => {},
    })) as ImagesJobResult;
    expect(result.published).toBe(false);
    expect(result.report.cloud).toBe("mycloud");
    expect(result.report.regions[0]?.region).toBe("RegionOne");
  });

  it("fails the run while another writer holds the images lock, and takes it otherwise", async () => {
    const store = createMemoryStore();
    const holder = createLeaseLock({
      store,
      key: IMAGES_LOCK_KEY,
      owner: "streamgate sync images on host-b",
      leaseMs: 60_000,
    });
    await holder.acquire();
    const job = createImagesJob(config, {
      openSource: () => createStaticImageSource(parseStaticImageList(LIST, "x"), "x"),
      lock: { owner: "scheduler" },
    });
    const blocked = await runJob(job, { store });
    expect(blocked.outcome).toBe("failed");
    expect(blocked.errors[0]).toMatch(
      /holds the lock \.streamgate\/lock\/images: owner "streamgate sync images on host-b"/,
    );
    expect(await store.head("images/streams/v1/index.json")).toBeNull();
    await holder.release();
    expect((await runJob(job, { store })).outcome).toBe("ok");
    expect(await store.head(IMAGES_LOCK_KEY)).toBeNull();
  });

  it("reads the signing key on every run", async () => {
    let reads = 0;
    const source: ImageSource = {
      description: "scripted",
      list: async () => ({
        endpoint: "https://ks/v3",
        regions: [{ region: "R", ok: true, images: [] }],
      }),
    };
    const job = createImagesJob(config, {
      openSource: () => source,
      signingKey: async () => {
        reads++;
        return undefined;
      },
    });
    const context: JobContext = {
      store: createMemoryStore(),
      signal: new AbortController().signal,
      log: () => {},
    };
    await job.run(context);
    await job.run(context);
    expect(reads).toBe(2);
  });

  it("fails the run when the source cannot be opened", async () => {
    const job = createImagesJob(config, {
      openSource: () => {
        throw new Error("[streamgate] [images] cannot read the static image list images.yaml");
      },
    });
    const run = await runJob(job, { store: createMemoryStore() });
    expect(run.outcome).toBe("failed");
    expect(run.errors[0]).toMatch(/cannot read the static image list/);
  });
});
