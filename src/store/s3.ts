import { createReadStream } from "node:fs";
import { tmpdir } from "node:os";
import { Readable } from "node:stream";
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  type GetObjectCommandOutput,
  HeadObjectCommand,
  type HeadObjectCommandOutput,
  ListObjectsV2Command,
  type ListObjectsV2CommandOutput,
  PutObjectCommand,
  type PutObjectCommandInput,
  type S3Client,
  type S3ClientConfig,
} from "@aws-sdk/client-s3";
import { webStreamFromReadable } from "../streams/from-node-readable.ts";
import {
  InvalidKeyError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
  StoreError,
} from "./errors.ts";
import {
  assertValidKey,
  assertValidPrefix,
  isInternalKey,
  isValidKey,
  MAX_KEY_BYTES,
} from "./keys.ts";
import type {
  ByteRange,
  GetOptions,
  ObjectInfo,
  ObjectStore,
  PutBody,
  PutOptions,
  StoredObject,
} from "./object-store.ts";
import { createPartBuffers } from "./part-buffers.ts";
import { isConditional } from "./precondition.ts";
import { assertPutOptions } from "./put-body.ts";
import { resolveRange } from "./range.ts";
import { addContentMd5, createS3Client } from "./s3-client.ts";
import {
  isNotFound,
  isPreconditionFailure,
  isRangeNotSatisfiable,
  S3_STORE_NAME,
  toStoreError,
} from "./s3-errors.ts";
import { uploadMultipart } from "./s3-multipart.ts";
import { probeConditionalWrites } from "./s3-probe.ts";
import {
  buildSmallBody,
  readBodyHead,
  type StreamedDigest,
  spoolBody,
  verifiedStream,
} from "./s3-staging.ts";

export { S3_STORE_NAME } from "./s3-errors.ts";

const MiB = 1024 * 1024;

/**
 * Multipart part size: S3's smallest. 10,000 parts still reach 48 GiB (a Swift with its
 * default `max_upload_part_num` of 1,000: 4.8 GiB), far above any agent tarball.
 */
export const S3_PART_SIZE = 5 * MiB;

/**
 * Parts uploaded at once by one put: one part's request overlaps the next part's reading.
 * More buys little — a sync runs several puts at once — and costs a part buffer each.
 */
export const S3_QUEUE_SIZE = 1;

/**
 * Part buffers one store holds at most, shared by all its puts (`part-buffers.ts`): 40 MiB
 * however many puts run at once and however large their objects; a sync's default 8
 * copies get one each.
 */
export const S3_PART_BUFFERS = 8;

/** A body that ends within this many bytes is read into memory and sent in one PutObject. */
export const S3_SINGLE_PUT_LIMIT = S3_PART_SIZE;

/** DeleteObjects takes at most this many keys per call. */
const DELETE_BATCH = 1000;

/** S3's cap on one PutObject (5 GiB); conditional puts of spooled bodies go through one. */
const MAX_SINGLE_PUT = 5 * 1024 * MiB;

/** The object metadata (`x-amz-meta-sha256`) that records the sha256 of a streamgate write. */
const SHA256_METADATA = "sha256";

export interface S3StoreOptions {
  bucket: string;
  /** Prefix of every key in the bucket: `""` (default) or a key prefix ending in `/`. */
  prefix?: string;
  /** `http(s)://host[:port][/path]` of an S3-compatible service (R2, Swift, MinIO). */
  endpoint?: string;
  /** Default: AWS_REGION, AWS_DEFAULT_REGION, then `us-east-1`. R2 wants `auto`. */
  region?: string;
  /** Address the bucket in the path (`host/bucket/key`), as Swift and MinIO need. */
  forcePathStyle?: boolean;
  /**
   * Default: the SDK's default provider chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY,
   * AWS_PROFILE and ~/.aws/credentials + ~/.aws/config, web identity, container and EC2
   * instance metadata). Missing credentials fail the probe (or, with `conditionalWrites`
   * given, the first call) with a `StoreError` naming the variables and files looked at.
   */
  credentials?: S3ClientConfig["credentials"];
  /**
   * A client to use instead of building one (tests; unusual setups). The store adds its
   * Content-MD5 middleware to it. It should be configured with
   * `requestChecksumCalculation: "WHEN_REQUIRED"` for Swift.
   */
  client?: S3Client;
  /**
   * Whether the endpoint enforces `ifNoneMatch` / `ifMatch`. Default: find out when the
   * store is created (`probeConditionalWrites`: three small PutObjects and a delete under
   * `.streamgate/probe/`). Give it to skip the probe; `true` for an endpoint that does not
   * enforce them makes conditional puts unsafe.
   */
  conditionalWrites?: boolean;
  /**
   * Folder for temp files (default `os.tmpdir()`): a streamed body over
   * `S3_SINGLE_PUT_LIMIT` without a `sha256`, or with a condition, is written there first
   * (see `put`). Needs room for the largest such object.
   */
  spoolDir?: string;
  /** Attempts per S3 call, first included (default `S3_MAX_ATTEMPTS`, 5). */
  maxAttempts?: number;
}

interface ObjectMetadataOutput {
  ETag?: string;
  LastModified?: Date;
  ContentType?: string;
  Metadata?: Record<string, string>;
}

/** S3 etags are quoted header values; `ObjectInfo.etag` is bare. */
function bareEtag(etag: string | undefined): string {
  if (etag === undefined) return "";
  const strong = etag.startsWith("W/") ? etag.slice(2) : etag;
  return strong.length >= 2 && strong.startsWith('"') && strong.endsWith('"')
    ? strong.slice(1, -1)
    : strong;
}

/**
 * HEAD and GET give Last-Modified as an HTTP date (whole seconds) while listings may carry
 * milliseconds (R2); cut both to the second so `list` and `head` agree.
 */
function wholeSecond(date: Date | undefined): Date {
  const time = date?.getTime() ?? Date.now();
  return new Date(Math.floor(time / 1000) * 1000);
}

function recordedSha256(metadata: Record<string, string> | undefined): string | undefined {
  const value = metadata?.[SHA256_METADATA];
  return value !== undefined && /^[0-9a-f]{64}$/.test(value) ? value : undefined;
}

function toInfo(key: string, output: ObjectMetadataOutput, size: number): ObjectInfo {
  const sha256 = recordedSha256(output.Metadata);
  return {
    key,
    size,
    etag: bareEtag(output.ETag),
    lastModified: wholeSecond(output.LastModified),
    ...(output.ContentType === undefined ? {} : { contentType: output.ContentType }),
    ...(sha256 === undefined ? {} : { sha256 }),
  };
}

/** RFC 9110 §14.2 byte range of a `ByteRange` (validated and non-empty). */
function toRangeHeader(range: ByteRange): string {
  if ("suffix" in range) return `bytes=-${range.suffix}`;
  if (range.length === undefined) return `bytes=${range.offset}-`;
  return `bytes=${range.offset}-${range.offset + range.length - 1}`;
}

/** `bytes FIRST-LAST/SIZE` (RFC 9110 §14.4) of a 206 answer. */
function parseContentRange(
  value: string | undefined,
): { offset: number; length: number; size: number } | undefined {
  const match = value === undefined ? null : /^bytes (\d+)-(\d+)\/(\d+)$/.exec(value.trim());
  if (match === null) return undefined;
  const first = Number(match[1]);
  const last = Number(match[2]);
  return { offset: first, length: last - first + 1, size: Number(match[3]) };
}

function toWebStream(body: GetObjectCommandOutput["Body"]): ReadableStream<Uint8Array> {
  if (body === undefined) return new ReadableStream<Uint8Array>({ start: (c) => c.close() });
  // The Node SDK's body is an IncomingMessage (a Readable).
  return webStreamFromReadable(body as Readable);
}

/** Releases a put body that will not be read. */
async function discard(body: PutBody): Promise<void> {
  if (body instanceof ReadableStream) await body.cancel().catch(() => undefined);
}

function normalizePrefix(prefix: string): string {
  if (prefix === "") return "";
  const trimmed = prefix.endsWith("/") ? prefix.slice(0, -1) : prefix;
  try {
    assertValidKey(trimmed, { allowInternal: false });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new TypeError(
      `[streamgate] Expected \`prefix\` to be "" or a key prefix such as "mirror/", got ${JSON.stringify(prefix)} (${reason})`,
    );
  }
  return `${trimmed}/`;
}

/**
 * Opens a bucket (or a prefix of one) of an S3-compatible service as an `ObjectStore`:
 * AWS S3, R2's S3 API, Swift's s3api, MinIO. Node only (AWS SDK v3); Workers use the R2
 * binding (`r2.ts`), so nothing runtime-neutral may import this file.
 *
 * Async because `capabilities.conditionalWrites` is a plain property whose value depends on
 * the endpoint: unless `options.conditionalWrites` says, it is probed here, which also
 * makes a missing bucket, a dead endpoint or missing credentials fail at open time.
 *
 * How `put` keeps "old or new, never partial, never a wrong sha256" with S3 metadata set
 * at create time:
 * - a body that ends within `S3_SINGLE_PUT_LIMIT` is read into memory, checked (size,
 *   sha256), and sent in one PutObject with Content-MD5 and `x-amz-meta-sha256`;
 * - a longer body with a `sha256` streams through a multipart upload (`uploadMultipart`,
 *   `S3_PART_SIZE` parts, `S3_QUEUE_SIZE` at once) with that sha256 as metadata; the
 *   bytes are hashed and counted on the way, and a mismatch errors the stream before the
 *   last part is sent, so the upload is aborted and never completed: nothing is visible;
 * - a longer body without a `sha256` (its digest would be known only after the metadata
 *   is written) or with a condition (conditions are enforced on PutObject everywhere, but
 *   not on CompleteMultipartUpload by every S3 compatible, Miniflare's R2 included) is
 *   first spooled to a temp file under `spoolDir` while being hashed and checked, then
 *   uploaded from the file with a known sha256: multipart, or one PutObject (≤ 5 GiB)
 *   when conditional.
 *
 * Listings come from ListObjectsV2, which carries no metadata: listed infos have no
 * `sha256` or `contentType` (use `head`).
 */
export async function createS3Store(options: S3StoreOptions): Promise<ObjectStore> {
  if (typeof options.bucket !== "string" || options.bucket === "") {
    throw new TypeError("[streamgate] Expected `bucket` to be a bucket name");
  }
  const bucket = options.bucket;
  const prefix = normalizePrefix(options.prefix ?? "");
  const spoolDir = options.spoolDir ?? tmpdir();
  const client =
    options.client ??
    createS3Client({
      ...(options.endpoint === undefined ? {} : { endpoint: options.endpoint }),
      ...(options.region === undefined ? {} : { region: options.region }),
      ...(options.forcePathStyle === undefined ? {} : { forcePathStyle: options.forcePathStyle }),
      ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
    });
  if (options.client !== undefined) addContentMd5(client);
  const conditionalWrites =
    options.conditionalWrites ?? (await probeConditionalWrites({ client, bucket, prefix }));
  const encoder = new TextEncoder();
  const partBuffers = createPartBuffers(S3_PART_SIZE, S3_PART_BUFFERS);

  const where = (operation: string, key: string) => ({ store: S3_STORE_NAME, operation, key });

  /** The bucket key of a store key; the prefix counts against S3's 1,024-byte limit. */
  function toS3Key(key: string): string {
    assertValidKey(key);
    const s3Key = `${prefix}${key}`;
    if (encoder.encode(s3Key).byteLength > MAX_KEY_BYTES) {
      throw new InvalidKeyError(
        key,
        `with the store prefix ${JSON.stringify(prefix)} it is longer than ${MAX_KEY_BYTES} bytes`,
      );
    }
    return s3Key;
  }

  async function head(key: string): Promise<ObjectInfo | null> {
    const s3Key = toS3Key(key);
    let output: HeadObjectCommandOutput;
    try {
      output = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: s3Key }));
    } catch (error) {
      if (isNotFound(error)) return null;
      throw toStoreError(error, "HeadObject", key);
    }
    return toInfo(key, output, output.ContentLength ?? 0);
  }

  /** A 416, told apart from a missing object (null), with the size the error reports. */
  async function unsatisfiable(key: string): Promise<null> {
    const info = await head(key);
    if (info === null) return null;
    throw new RangeNotSatisfiableError(info.size, where("get", key));
  }

  async function get(key: string, getOptions: GetOptions = {}): Promise<StoredObject | null> {
    const s3Key = toS3Key(key);
    const range = getOptions.range;
    if (range !== undefined) {
      // `bytes=-0` cannot be sent (servers read it as malformed and answer 200).
      if ("suffix" in range && range.suffix === 0) return unsatisfiable(key);
      // Validates the numbers only (TypeError); the size is not known yet.
      resolveRange(range, Number.MAX_SAFE_INTEGER, { store: S3_STORE_NAME, key });
    }
    let output: GetObjectCommandOutput;
    try {
      output = await client.send(
        new GetObjectCommand({
          Bucket: bucket,
          Key: s3Key,
          ...(range === undefined ? {} : { Range: toRangeHeader(range) }),
        }),
      );
    } catch (error) {
      if (isNotFound(error)) return null;
      if (range !== undefined && isRangeNotSatisfiable(error)) return unsatisfiable(key);
      throw toStoreError(error, "GetObject", key);
    }
    const body = toWebStream(output.Body);
    const served = parseContentRange(output.ContentRange);
    if (range !== undefined && output.ContentRange !== undefined && served === undefined) {
      await body.cancel();
      throw new StoreError(
        `unreadable Content-Range ${JSON.stringify(output.ContentRange)}`,
        where("GetObject", key),
      );
    }
    const size = served?.size ?? output.ContentLength ?? 0;
    const info = toInfo(key, output, size);
    if (range === undefined) return { ...info, body };
    if (size === 0) {
      await body.cancel();
      throw new RangeNotSatisfiableError(0, where("get", key));
    }
    // A 200 to a ranged GET is the whole object.
    const actual = served ?? { offset: 0, length: size };
    return { ...info, body, range: { offset: actual.offset, length: actual.length } };
  }

  async function putObject(key: string, input: PutObjectCommandInput, putOptions: PutOptions) {
    try {
      const output = await client.send(new PutObjectCommand(input));
      return bareEtag(output.ETag);
    } catch (error) {
      // AWS answers If-Match on a missing key with 404 rather than 412.
      if (isPreconditionFailure(error) || (putOptions.ifMatch !== undefined && isNotFound(error))) {
        throw new PreconditionFailedError({ ...where("PutObject", key), cause: error });
      }
      throw toStoreError(error, "PutObject", key);
    }
  }

  async function uploadParts(
    key: string,
    s3Key: string,
    body: ReadableStream<Uint8Array>,
    metadata: Record<string, string>,
    contentType: string | undefined,
  ): Promise<string> {
    const etag = await uploadMultipart(
      {
        client,
        bucket,
        s3Key,
        key,
        metadata,
        ...(contentType === undefined ? {} : { contentType }),
        buffers: partBuffers,
        queueSize: S3_QUEUE_SIZE,
      },
      body,
    );
    return bareEtag(etag);
  }

  /** The written object as `head` will describe it, even if another write came since. */
  async function describeWritten(
    key: string,
    etag: string,
    digest: StreamedDigest,
    contentType: string | undefined,
  ): Promise<ObjectInfo> {
    const current = await head(key).catch(() => null);
    if (current !== null && current.etag === etag) return { ...current, sha256: digest.sha256 };
    return {
      key,
      size: digest.size,
      etag,
      lastModified: wholeSecond(new Date()),
      ...(contentType === undefined ? {} : { contentType }),
      sha256: digest.sha256,
    };
  }

  async function put(key: string, body: PutBody, putOptions: PutOptions = {}): Promise<ObjectInfo> {
    const s3Key = toS3Key(key);
    assertPutOptions(putOptions);
    const conditional = isConditional(putOptions);
    if (conditional && !conditionalWrites) {
      await discard(body);
      throw new StoreError(
        "this endpoint does not enforce conditional writes (capabilities.conditionalWrites is false)",
        where("put", key),
      );
    }
    if (putOptions.ifNoneMatch === "*" && putOptions.ifMatch !== undefined) {
      // No object is both absent and current.
      await discard(body);
      throw new PreconditionFailedError(where("put", key));
    }
    const target: PutObjectCommandInput = {
      Bucket: bucket,
      Key: s3Key,
      ...(putOptions.contentType === undefined ? {} : { ContentType: putOptions.contentType }),
      ...(putOptions.ifNoneMatch === undefined ? {} : { IfNoneMatch: putOptions.ifNoneMatch }),
      ...(putOptions.ifMatch === undefined ? {} : { IfMatch: `"${bareEtag(putOptions.ifMatch)}"` }),
    };
    const start = await readBodyHead(key, body, putOptions, S3_SINGLE_PUT_LIMIT);

    if (start.rest === undefined) {
      const small = buildSmallBody(key, start, putOptions);
      const etag = await putObject(
        key,
        {
          ...target,
          Body: small.bytes,
          ContentLength: small.bytes.byteLength,
          Metadata: { [SHA256_METADATA]: small.sha256 },
        },
        putOptions,
      );
      return describeWritten(
        key,
        etag,
        { size: small.bytes.byteLength, sha256: small.sha256 },
        putOptions.contentType,
      );
    }

    const verified = verifiedStream(key, start, putOptions);
    if (putOptions.sha256 !== undefined && !conditional) {
      const metadata = { [SHA256_METADATA]: putOptions.sha256.toLowerCase() };
      const etag = await uploadParts(key, s3Key, verified.stream, metadata, putOptions.contentType);
      return describeWritten(key, etag, verified.digest(), putOptions.contentType);
    }

    const spooled = await spoolBody(key, verified, spoolDir);
    try {
      const metadata = { [SHA256_METADATA]: spooled.sha256 };
      const file = createReadStream(spooled.path, { highWaterMark: MiB });
      let etag: string;
      if (!conditional) {
        const stream = Readable.toWeb(file) as unknown as ReadableStream<Uint8Array>;
        etag = await uploadParts(key, s3Key, stream, metadata, putOptions.contentType);
      } else if (spooled.size <= MAX_SINGLE_PUT) {
        etag = await putObject(
          key,
          { ...target, Body: file, ContentLength: spooled.size, Metadata: metadata },
          putOptions,
        );
      } else {
        file.destroy();
        throw new StoreError(
          `a conditional put is sent in one PutObject, which S3 caps at ${MAX_SINGLE_PUT} bytes; this body has ${spooled.size}`,
          where("put", key),
        );
      }
      return describeWritten(key, etag, spooled, putOptions.contentType);
    } finally {
      await spooled.remove();
    }
  }

  async function deleteKeys(keys: readonly string[]): Promise<void> {
    const s3Keys = [...new Set(keys.map(toS3Key))];
    for (let start = 0; start < s3Keys.length; start += DELETE_BATCH) {
      const batch = s3Keys.slice(start, start + DELETE_BATCH);
      const first = (batch[0] ?? "").slice(prefix.length);
      let errors: { Key?: string; Code?: string; Message?: string }[];
      try {
        const output = await client.send(
          new DeleteObjectsCommand({
            Bucket: bucket,
            Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
          }),
        );
        errors = (output.Errors ?? []).filter((error) => error.Code !== "NoSuchKey");
      } catch (error) {
        throw toStoreError(error, "DeleteObjects", first);
      }
      const failed = errors[0];
      if (failed !== undefined) {
        throw new StoreError(
          `${errors.length} of ${batch.length} keys were not deleted; first: ${failed.Code ?? "error"}: ${failed.Message ?? ""}`,
          where("DeleteObjects", (failed.Key ?? first).slice(prefix.length)),
        );
      }
    }
  }

  async function* list(listPrefix: string): AsyncIterable<ObjectInfo> {
    assertValidPrefix(listPrefix);
    const includeInternal = isInternalKey(listPrefix);
    let token: string | undefined;
    do {
      let page: ListObjectsV2CommandOutput;
      try {
        page = await client.send(
          new ListObjectsV2Command({
            Bucket: bucket,
            Prefix: `${prefix}${listPrefix}`,
            ...(token === undefined ? {} : { ContinuationToken: token }),
          }),
        );
      } catch (error) {
        throw toStoreError(error, "ListObjectsV2", listPrefix);
      }
      for (const object of page.Contents ?? []) {
        if (object.Key === undefined || !object.Key.startsWith(prefix)) continue;
        const key = object.Key.slice(prefix.length);
        // Names other tools wrote that no store key can address ("folder/" markers).
        if (!isValidKey(key)) continue;
        if (!includeInternal && isInternalKey(key)) continue;
        yield {
          key,
          size: object.Size ?? 0,
          etag: bareEtag(object.ETag),
          lastModified: wholeSecond(object.LastModified),
        };
      }
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
  }

  return {
    name: S3_STORE_NAME,
    capabilities: { conditionalWrites },
    get,
    head,
    put,
    delete: deleteKeys,
    list,
  };
}
