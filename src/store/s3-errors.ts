import { StoreError } from "./errors.ts";

/** Name used in error messages. API: https://docs.aws.amazon.com/AmazonS3/latest/API/ */
export const S3_STORE_NAME = "s3";

/** The parts of an AWS SDK v3 error (`S3ServiceException`, a network error) read here. */
interface SdkError {
  name?: string;
  Code?: string;
  code?: string;
  message?: string;
  $metadata?: { httpStatusCode?: number };
}

function asSdkError(error: unknown): SdkError {
  return typeof error === "object" && error !== null ? (error as SdkError) : {};
}

/** HTTP status of a failed S3 call, when the service answered at all. */
export function s3Status(error: unknown): number | undefined {
  return asSdkError(error).$metadata?.httpStatusCode;
}

/** The S3 error code (`NoSuchKey`, `PreconditionFailed`…), or the SDK/Node error name. */
export function s3Code(error: unknown): string | undefined {
  const sdk = asSdkError(error);
  return sdk.Code ?? sdk.name ?? sdk.code;
}

/**
 * The object is not there. A missing *bucket* is a misconfiguration, not a missing object:
 * it must surface as a `StoreError` (HTTP 503), never as `null` (HTTP 404).
 */
export function isNotFound(error: unknown): boolean {
  return s3Status(error) === 404 && s3Code(error) !== "NoSuchBucket";
}

/**
 * A conditional write lost: 412, or 409 `ConditionalRequestConflict` (AWS, when a racing
 * conditional write is in flight on the same key).
 */
export function isPreconditionFailure(error: unknown): boolean {
  const code = s3Code(error);
  return (
    s3Status(error) === 412 ||
    code === "PreconditionFailed" ||
    code === "ConditionalRequestConflict"
  );
}

export function isRangeNotSatisfiable(error: unknown): boolean {
  return s3Status(error) === 416 || s3Code(error) === "InvalidRange";
}

/** The service does not implement what was asked (Swift's s3api for conditional PUTs). */
export function isNotImplemented(error: unknown): boolean {
  return s3Status(error) === 501 || s3Code(error) === "NotImplemented";
}

export function isAccessDenied(error: unknown): boolean {
  return s3Status(error) === 403 || s3Code(error) === "AccessDenied";
}

const NO_CREDENTIALS =
  "no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a " +
  "profile (AWS_PROFILE) from the shared config files ~/.aws/credentials and ~/.aws/config " +
  "(AWS_SHARED_CREDENTIALS_FILE, AWS_CONFIG_FILE)";

/** A one-line account of an SDK failure: the service's code and status, or the local cause. */
export function describeS3Error(error: unknown): string {
  const sdk = asSdkError(error);
  const message = error instanceof Error ? error.message : String(error);
  if (sdk.name === "CredentialsProviderError") return `${NO_CREDENTIALS} (${message})`;
  const status = s3Status(error);
  const code = s3Code(error);
  if (status !== undefined) {
    // The SDK's message for a body-less answer (HEAD) is just "UnknownError".
    const detail =
      message === "" || message === code || message === "UnknownError" ? "" : `: ${message}`;
    return `${code ?? "error"} (HTTP ${status})${detail}`;
  }
  return code === undefined || message.includes(code) ? message : `${code}: ${message}`;
}

/**
 * Wraps any failure of an S3 call as a `StoreError` named after the S3 operation:
 * `[streamgate] [s3] GetObject failed for "juju/…": AccessDenied (HTTP 403): …`. A
 * `StoreError` passes through unchanged.
 */
export function toStoreError(error: unknown, operation: string, key?: string): StoreError {
  if (error instanceof StoreError) return error;
  return new StoreError(describeS3Error(error), {
    store: S3_STORE_NAME,
    operation,
    ...(key === undefined ? {} : { key }),
    cause: error,
  });
}
