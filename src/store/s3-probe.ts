import { randomUUID } from "node:crypto";
import { DeleteObjectCommand, PutObjectCommand, type S3Client } from "@aws-sdk/client-s3";
import { INTERNAL_PREFIX } from "./keys.ts";
import {
  isAccessDenied,
  isNotImplemented,
  isPreconditionFailure,
  toStoreError,
} from "./s3-errors.ts";

/** A strong etag no object has (S3 etags are MD5-based hex). */
const IMPOSSIBLE_ETAG = `"${"0".repeat(32)}"`;

export interface ConditionalWriteProbeOptions {
  client: S3Client;
  bucket: string;
  /** The store's key prefix (`""` or ending in `/`); the probe object lives under it. */
  prefix: string;
}

/**
 * Whether the endpoint enforces `If-None-Match: *` and `If-Match` on PutObject, found by
 * trying: one probe object under `.streamgate/probe/`, written plainly, then written again
 * under each condition, which must be refused (412/409). A 501 (Swift's s3api: "Conditional
 * object PUTs are not supported") or a write that goes through (a server that ignores the
 * header) means no. Credentials that may not write (403) also answer no: such a store can
 * only be read. A missing bucket or an unreachable endpoint throws a `StoreError`, so a
 * misconfigured store fails when it is opened. The probe object is deleted afterwards.
 */
export async function probeConditionalWrites(
  options: ConditionalWriteProbeOptions,
): Promise<boolean> {
  const { client, bucket } = options;
  const key = `${options.prefix}${INTERNAL_PREFIX}probe/${randomUUID()}`;
  const put = (conditions: { IfNoneMatch?: string; IfMatch?: string }) =>
    client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: "probe", ...conditions }));
  try {
    await put({});
  } catch (error) {
    if (isAccessDenied(error)) return false;
    throw toStoreError(error, "PutObject (conditional-write probe)", key);
  }
  try {
    for (const conditions of [{ IfNoneMatch: "*" }, { IfMatch: IMPOSSIBLE_ETAG }]) {
      try {
        await put(conditions);
        return false;
      } catch (error) {
        if (isPreconditionFailure(error)) continue;
        if (isNotImplemented(error)) return false;
        throw toStoreError(error, "PutObject (conditional-write probe)", key);
      }
    }
    return true;
  } finally {
    await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key })).catch(() => undefined);
  }
}
