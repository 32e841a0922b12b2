/**
 * S3-specific cases the store contract cannot state in web-standard terms: what lands in
 * the bucket (prefix, `x-amz-meta-sha256`), multipart uploads that must never complete,
 * and how the adapter reports a misconfigured bucket or wrong credentials. Run by every
 * S3 server's test file next to `runStoreContract`.
 */
import { createHash } from "node:crypto";
import {
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import { expect, it } from "vitest";
import {
  IntegrityError,
  InvalidKeyError,
  PreconditionFailedError,
  StoreError,
} from "../../src/store/errors.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
import { createS3Store, S3_SINGLE_PUT_LIMIT, type S3StoreOptions } from "../../src/store/s3.ts";
import {
  collect,
  patternBytes,
  readBytes,
  streamOf,
} from "../../src/store/store-contract-helpers.ts";

export interface S3ExtraCaseOptions {
  /** Options of the store under test, without `prefix` (the cases add their own). */
  storeOptions: () => S3StoreOptions;
  /** A client on the same bucket, to look at what the store wrote. */
  rawClient: () => S3Client;
  /** The server lists multipart uploads (Miniflare does not implement ListMultipartUploads). */
  listsUploads: boolean;
}

/** A body longer than one PutObject, so it goes through a multipart upload. */
const LONG = S3_SINGLE_PUT_LIMIT + 3 * 1024 * 1024 + 17;

function sha256(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

/** Splits bytes into stream chunks of `size`, like a network body. */
function chunked(bytes: Uint8Array, size = 256 * 1024): ReadableStream<Uint8Array> {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < bytes.byteLength; offset += size) {
    chunks.push(bytes.subarray(offset, offset + size));
  }
  return streamOf(chunks);
}

export function s3ExtraCases(options: S3ExtraCaseOptions): (store: () => ObjectStore) => void {
  return (store) => {
    const bucket = () => options.storeOptions().bucket;

    async function rawKeys(prefix: string): Promise<string[]> {
      const page = await options
        .rawClient()
        .send(new ListObjectsV2Command({ Bucket: bucket(), Prefix: prefix }));
      return (page.Contents ?? []).map((object) => object.Key ?? "");
    }

    async function expectNoUpload(key: string) {
      if (!options.listsUploads) return;
      const uploads = await options
        .rawClient()
        .send(new ListMultipartUploadsCommand({ Bucket: bucket(), Prefix: key }));
      expect(uploads.Uploads ?? []).toEqual([]);
    }

    it("keeps its keys under its prefix and strips the prefix when listing", async () => {
      const tenant = await createS3Store({ ...options.storeOptions(), prefix: "tenant/one" });
      await tenant.put("juju/tools/a.json", "{}");
      await store().put("juju/tools/outside.json", "{}");
      expect(await rawKeys("tenant/")).toEqual(["tenant/one/juju/tools/a.json"]);
      expect((await collect(tenant.list(""))).map((info) => info.key)).toEqual([
        "juju/tools/a.json",
      ]);
      expect(await tenant.head("juju/tools/outside.json")).toBeNull();
      expect((await tenant.get("juju/tools/a.json"))?.key).toBe("juju/tools/a.json");
      // S3's 1,024-byte limit holds for the whole bucket key, prefix included.
      const longest = `${"s".repeat(200)}/`.repeat(5).padEnd(1024, "t");
      await expect(tenant.put(longest, "x")).rejects.toThrow(InvalidKeyError);
      await expect(tenant.put(longest, "x")).rejects.toThrow(
        /with the store prefix "tenant\/one\/"/,
      );
      await tenant.delete(["juju/tools/a.json"]);
      expect(await rawKeys("tenant/")).toEqual([]);
    });

    it("records the sha256 as x-amz-meta-sha256 and reads it back", async () => {
      const bytes = patternBytes(10_000, 40);
      await store().put("meta/object.bin", bytes);
      const raw = await options
        .rawClient()
        .send(new HeadObjectCommand({ Bucket: bucket(), Key: "meta/object.bin" }));
      expect(raw.Metadata?.sha256).toBe(sha256(bytes));
      expect((await store().head("meta/object.bin"))?.sha256).toBe(sha256(bytes));
    });

    it("ignores a recorded sha256 that is not a sha256", async () => {
      await options.rawClient().send(
        new PutObjectCommand({
          Bucket: bucket(),
          Key: "meta/foreign",
          Body: "written by another tool",
          Metadata: { sha256: "not-a-digest" },
        }),
      );
      const info = await store().head("meta/foreign");
      expect(info?.size).toBe(23);
      expect(info).not.toHaveProperty("sha256");
    });

    it("streams a long body with a sha256 through a multipart upload", async () => {
      const bytes = patternBytes(LONG, 41);
      const written = await store().put("multipart/ok.bin", chunked(bytes), {
        sha256: sha256(bytes),
        contentType: "application/gzip",
      });
      expect(written).toMatchObject({ size: LONG, sha256: sha256(bytes) });
      const object = await store().get("multipart/ok.bin");
      expect(object).toMatchObject({
        size: LONG,
        sha256: sha256(bytes),
        etag: written.etag,
        contentType: "application/gzip",
      });
      expect(sha256(await readBytes((object as { body: ReadableStream<Uint8Array> }).body))).toBe(
        sha256(bytes),
      );
      const [listed] = await collect(store().list("multipart/"));
      expect(listed).toMatchObject({ key: "multipart/ok.bin", size: LONG, etag: written.etag });
    });

    it("aborts a multipart upload whose bytes break its sha256 or size, leaving the old object", async () => {
      const old = await store().put("multipart/kept.bin", "old");
      const bytes = patternBytes(LONG, 42);
      const attempts = [
        { sha256: sha256(patternBytes(10, 1)) },
        { sha256: sha256(bytes), size: LONG + 1 },
        { sha256: sha256(bytes), size: LONG - 1 },
      ];
      for (const putOptions of attempts) {
        await expect(
          store().put("multipart/kept.bin", chunked(bytes), putOptions),
        ).rejects.toBeInstanceOf(IntegrityError);
        const info = await store().head("multipart/kept.bin");
        expect(info).toMatchObject({ size: 3, etag: old.etag });
        await expectNoUpload("multipart/kept.bin");
      }
      // Announced long, so streamed without buffering a head first, but it ends in one part.
      await expect(
        store().put("multipart/kept.bin", chunked(patternBytes(100, 3)), {
          sha256: sha256(bytes),
          size: LONG,
        }),
      ).rejects.toBeInstanceOf(IntegrityError);
      expect(await store().head("multipart/kept.bin")).toMatchObject({ size: 3, etag: old.etag });
      await expectNoUpload("multipart/kept.bin");
      await expect(
        store().put("multipart/never.bin", chunked(bytes), { sha256: sha256(patternBytes(10, 1)) }),
      ).rejects.toBeInstanceOf(IntegrityError);
      expect(await store().head("multipart/never.bin")).toBeNull();
      await expectNoUpload("multipart/never.bin");
    });

    it("spools a long body without a sha256 and records the digest it computed", async () => {
      const bytes = patternBytes(LONG, 43);
      const written = await store().put("spooled/object.bin", chunked(bytes));
      expect(written).toMatchObject({ size: LONG, sha256: sha256(bytes) });
      expect((await store().head("spooled/object.bin"))?.sha256).toBe(sha256(bytes));
      await expect(
        store().put("spooled/short.bin", chunked(bytes), { size: LONG + 5 }),
      ).rejects.toBeInstanceOf(IntegrityError);
      expect(await store().head("spooled/short.bin")).toBeNull();
    });

    it("applies a condition to a long body too", async (context) => {
      context.skip(!store().capabilities.conditionalWrites, "no conditional writes");
      const bytes = patternBytes(LONG, 44);
      const first = await store().put("cond-long/object.bin", chunked(bytes), {
        ifNoneMatch: "*",
        sha256: sha256(bytes),
      });
      await expect(
        store().put("cond-long/object.bin", chunked(bytes), { ifNoneMatch: "*" }),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
      const second = await store().put("cond-long/object.bin", chunked(bytes.subarray(1)), {
        ifMatch: first.etag,
      });
      expect(second.size).toBe(LONG - 1);
      await expect(
        store().put("cond-long/object.bin", chunked(bytes), { ifMatch: first.etag }),
      ).rejects.toBeInstanceOf(PreconditionFailedError);
      expect((await store().head("cond-long/object.bin"))?.etag).toBe(second.etag);
    });

    it("refuses a conditional put, writing nothing, when conditions are not enforced", async (context) => {
      context.skip(store().capabilities.conditionalWrites, "conditional writes are enforced");
      const failure = await store()
        .put("cond-none/x", "x", { ifNoneMatch: "*" })
        .then(
          () => undefined,
          (error: unknown) => error,
        );
      expect(failure).toBeInstanceOf(StoreError);
      expect(failure).not.toBeInstanceOf(PreconditionFailedError);
      expect((failure as Error).message).toMatch(/conditionalWrites is false/);
      expect(await store().head("cond-none/x")).toBeNull();
    });

    it("answers a missing bucket with a StoreError, not null", async () => {
      const missing = { ...options.storeOptions(), bucket: "streamgate-no-such-bucket" };
      await expect(createS3Store(missing)).rejects.toThrow(
        /\[streamgate\] \[s3\] PutObject \(conditional-write probe\) failed .*NoSuchBucket/,
      );
      const unprobed = await createS3Store({ ...missing, conditionalWrites: false });
      await expect(unprobed.get("x")).rejects.toThrow(
        /\[streamgate\] \[s3\] GetObject failed for "x": NoSuchBucket \(HTTP 404\)/,
      );
      await expect(collect(unprobed.list(""))).rejects.toBeInstanceOf(StoreError);
    });

    it("answers wrong credentials with a StoreError on every read, never null", async () => {
      const base = options.storeOptions();
      const credentials = base.credentials as { accessKeyId: string; secretAccessKey: string };
      const wrong = await createS3Store({
        ...base,
        credentials: { ...credentials, secretAccessKey: `${credentials.secretAccessKey}-wrong` },
        conditionalWrites: false,
      });
      await store().put("auth/x", "x");
      await expect(wrong.get("auth/x")).rejects.toThrow(
        /GetObject failed for "auth\/x": .*HTTP 40[13]/,
      );
      await expect(wrong.head("auth/x")).rejects.toThrow(
        /HeadObject failed for "auth\/x": .*HTTP 40[13]/,
      );
      await expect(collect(wrong.list("auth/"))).rejects.toBeInstanceOf(StoreError);
      await expect(wrong.put("auth/y", "y")).rejects.toBeInstanceOf(StoreError);
    });
  };
}

/** Deletes every object the store can list, internal ones included: the next test starts empty. */
export async function emptyStore(store: ObjectStore): Promise<void> {
  const keys = [
    ...(await collect(store.list(""))),
    ...(await collect(store.list(".streamgate/"))),
  ].map((info) => info.key);
  await store.delete(keys);
}
