import { createHash } from "node:crypto";
import { S3Client, type S3ClientConfig } from "@aws-sdk/client-s3";

/** Attempts per call (the first one included), retried by the SDK's standard strategy. */
export const S3_MAX_ATTEMPTS = 5;

/** Commands whose in-memory body gets a `Content-MD5` header (see `addContentMd5`). */
const CONTENT_MD5_COMMANDS = new Set([
  "DeleteObjectsCommand",
  "PutObjectCommand",
  "UploadPartCommand",
]);

const CONTENT_MD5_MIDDLEWARE = "streamgateContentMd5";

/** Logged (to the console, when no logger is set) by the SDK when a streamed body's call fails. */
const STREAMING_FAILURE_WARNING = "An error was encountered in a non-retryable streaming request.";

/**
 * The SDK's default logger drops everything, except a few warnings it sends to the console
 * instead. One of them fires on every refused conditional put of a spooled body (a 412 is
 * an expected answer there), so it is dropped; the others still reach the console.
 */
const logger = {
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (...content: unknown[]) => {
    if (content[0] !== STREAMING_FAILURE_WARNING) console.warn(...content);
  },
  error: () => undefined,
};

export interface S3ClientSettings {
  endpoint?: string;
  region?: string;
  forcePathStyle?: boolean;
  credentials?: S3ClientConfig["credentials"];
  maxAttempts?: number;
}

interface RequestLike {
  headers: Record<string, string>;
  body?: unknown;
}

function isRequestLike(value: unknown): value is RequestLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { headers?: unknown }).headers === "object"
  );
}

/**
 * Adds `Content-MD5` to DeleteObjects, and to PutObject / UploadPart when their body is in
 * memory. Swift's s3api refuses a DeleteObjects without it ("Missing required header for
 * this request: Content-MD5"), and current SDKs send a CRC32 checksum instead. For puts it
 * makes every server check the bytes it received. Runs in the build step: the body is
 * serialized by then, and signing (finalizeRequest) comes after, so the header is signed.
 */
export function addContentMd5(client: S3Client): void {
  if (client.middlewareStack.identify().some((entry) => entry.startsWith(CONTENT_MD5_MIDDLEWARE))) {
    return;
  }
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request;
      if (
        CONTENT_MD5_COMMANDS.has(context.commandName ?? "") &&
        isRequestLike(request) &&
        !Object.keys(request.headers).some((name) => name.toLowerCase() === "content-md5")
      ) {
        const body = request.body;
        if (typeof body === "string" || body instanceof Uint8Array) {
          request.headers["content-md5"] = createHash("md5").update(body).digest("base64");
        }
      }
      return next(args);
    },
    { step: "build", name: CONTENT_MD5_MIDDLEWARE, priority: "low" },
  );
}

/**
 * The S3 client behind the store. Credentials, when not given, come from the SDK's
 * default chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE and the shared
 * config files, web identity, container and instance metadata). Region: the given one,
 * else AWS_REGION, else AWS_DEFAULT_REGION, else `us-east-1` (R2 wants `auto`; S3
 * compatibles mostly accept anything).
 *
 * - Retries: the SDK's `standard` strategy (exponential backoff with jitter on 5xx,
 *   throttling and network errors, with a retry quota), `S3_MAX_ATTEMPTS` attempts.
 * - Checksums only where the API requires them (`WHEN_REQUIRED`): the default
 *   (`WHEN_SUPPORTED`) streams uploads as `aws-chunked` with a trailing CRC32, which Swift's
 *   s3api answers with 501. Integrity is kept by Content-MD5 on in-memory bodies and by
 *   the store's own sha256 check.
 * - Timeouts: 10 s to connect, 60 s of socket silence; no cap on a whole request, since a
 *   body may stream to a slow client for long.
 */
export function createS3Client(settings: S3ClientSettings): S3Client {
  const client = new S3Client({
    region:
      settings.region ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? "us-east-1",
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...(settings.forcePathStyle === undefined ? {} : { forcePathStyle: settings.forcePathStyle }),
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    maxAttempts: settings.maxAttempts ?? S3_MAX_ATTEMPTS,
    retryMode: "standard",
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
    requestHandler: { connectionTimeout: 10_000, socketTimeout: 60_000 },
    logger,
  });
  addContentMd5(client);
  return client;
}
