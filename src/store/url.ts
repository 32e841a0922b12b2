import { InvalidKeyError, InvalidStoreUrlError } from "./errors.ts";
import { assertValidKey } from "./keys.ts";

/** Where streamgate keeps its tree when nothing else is configured (DESIGN.md §3). */
export const DEFAULT_STORE_URL = "file:./data";

/** A folder on a local (or mounted) filesystem; a relative `path` is relative to the cwd. */
export interface FileStoreUrl {
  kind: "file";
  path: string;
}

/** A bucket of an S3-compatible service (AWS, R2's S3 API, Swift's s3api, MinIO…). */
export interface S3StoreUrl {
  kind: "s3";
  bucket: string;
  /** Key prefix of every object: `""`, or a valid key ending in `/` (`mirror/`). */
  prefix: string;
  /** `http(s)://host[:port]` of a service other than AWS. */
  endpoint?: string;
  region?: string;
  /** Address the bucket in the path rather than the host name (MinIO, Swift). */
  forcePathStyle?: boolean;
}

export type StoreUrl = FileStoreUrl | S3StoreUrl;

const ACCEPTED_FORMS =
  "accepted forms: file:PATH (file:./data, file:/srv/mirror), file:///srv/mirror, " +
  "a bare path starting with /, ./ or ../ (./data, /srv/mirror), " +
  "s3://BUCKET/PREFIX?endpoint=URL&region=REGION&forcePathStyle=true (the query is optional)";

const S3_QUERY_KEYS = ["endpoint", "region", "forcePathStyle"] as const;

type S3QueryKey = (typeof S3_QUERY_KEYS)[number];

function invalid(text: string, reason: string): InvalidStoreUrlError {
  return new InvalidStoreUrlError(
    text,
    `[streamgate] invalid store URL ${JSON.stringify(text)}: ${reason}; ${ACCEPTED_FORMS}`,
  );
}

function decode(text: string, part: string, value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    throw invalid(text, `${part} has a malformed %-escape`);
  }
}

/** `file:PATH` keeps PATH verbatim; `file://[localhost]/PATH` is a URL, so it is %-decoded. */
function parseFileUrl(text: string, rest: string): FileStoreUrl {
  if (!rest.startsWith("//")) {
    if (rest === "") throw invalid(text, "the path is empty");
    return { kind: "file", path: rest };
  }
  const slash = rest.indexOf("/", 2);
  const host = slash === -1 ? rest.slice(2) : rest.slice(2, slash);
  if (host !== "" && host !== "localhost") {
    throw invalid(text, `file URLs on another host (${host}) are not supported`);
  }
  const path = slash === -1 ? "" : rest.slice(slash);
  if (path === "" || path === "/") throw invalid(text, "the path is empty");
  if (/[?#]/.test(path)) throw invalid(text, "a file URL takes no query or fragment");
  return { kind: "file", path: decode(text, "the path", path) };
}

/**
 * S3 bucket naming rules (https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html),
 * plus `_`, which Swift's s3api accepts in container names.
 */
function bucketProblem(bucket: string): string | undefined {
  if (bucket === "") return "the bucket name is missing (s3://BUCKET/…)";
  if (bucket.length < 3 || bucket.length > 63) return "a bucket name has 3 to 63 characters";
  if (/[A-Z]/.test(bucket)) return "a bucket name is lower case";
  if (!/^[a-z0-9][a-z0-9._-]*[a-z0-9]$/.test(bucket)) {
    return "a bucket name has only a-z, 0-9, '.', '-' and '_', and starts and ends with a letter or digit";
  }
  if (bucket.includes("..")) return "a bucket name has no '..'";
  if (/^\d+\.\d+\.\d+\.\d+$/.test(bucket)) return "a bucket name is not an IP address";
  return undefined;
}

function parsePrefix(text: string, raw: string): string {
  const path = decode(text, "the prefix", raw);
  if (path === "") return "";
  const trimmed = path.endsWith("/") ? path.slice(0, -1) : path;
  try {
    assertValidKey(trimmed, { allowInternal: false });
  } catch (error) {
    if (error instanceof InvalidKeyError) {
      throw invalid(text, `the prefix ${JSON.stringify(path)} is not a valid key prefix`);
    }
    throw error;
  }
  return `${trimmed}/`;
}

function parseS3Url(text: string, rest: string): S3StoreUrl {
  if (rest.includes("#")) throw invalid(text, "an s3 URL takes no fragment");
  const question = rest.indexOf("?");
  const location = question === -1 ? rest : rest.slice(0, question);
  const query = question === -1 ? "" : rest.slice(question + 1);
  const slash = location.indexOf("/");
  const bucket = slash === -1 ? location : location.slice(0, slash);
  const problem = bucketProblem(bucket);
  if (problem !== undefined) throw invalid(text, problem);
  const url: S3StoreUrl = {
    kind: "s3",
    bucket,
    prefix: parsePrefix(text, slash === -1 ? "" : location.slice(slash + 1)),
  };
  const seen = new Set<string>();
  for (const pair of query.split("&")) {
    if (pair === "") continue;
    const equals = pair.indexOf("=");
    if (equals === -1) throw invalid(text, `query parameter ${JSON.stringify(pair)} has no value`);
    const name = decode(text, "a query parameter", pair.slice(0, equals));
    const value = decode(text, `\`${name}\``, pair.slice(equals + 1));
    if (!(S3_QUERY_KEYS as readonly string[]).includes(name)) {
      throw invalid(
        text,
        `unknown query parameter \`${name}\` (known: ${S3_QUERY_KEYS.map((key) => `\`${key}\``).join(", ")})`,
      );
    }
    if (seen.has(name)) throw invalid(text, `\`${name}\` is given twice`);
    seen.add(name);
    applyS3Parameter(text, url, name as S3QueryKey, value);
  }
  return url;
}

function applyS3Parameter(text: string, url: S3StoreUrl, name: S3QueryKey, value: string): void {
  switch (name) {
    case "endpoint":
      if (!/^https?:\/\/[^\s/?#]+(\/[^\s?#]*)?$/.test(value)) {
        throw invalid(text, "`endpoint` is an http:// or https:// URL");
      }
      url.endpoint = value;
      return;
    case "region":
      if (!/^[A-Za-z0-9][A-Za-z0-9_-]*$/.test(value)) {
        throw invalid(text, "`region` is a region name such as us-east-1, auto or RegionOne");
      }
      url.region = value;
      return;
    case "forcePathStyle":
      if (value !== "true" && value !== "false") {
        throw invalid(text, "`forcePathStyle` is true or false");
      }
      url.forcePathStyle = value === "true";
      return;
  }
}

/**
 * Reads a store URL by hand — `new URL()` would normalise paths, lower-case hosts and
 * accept forms streamgate does not. Surrounding whitespace is ignored.
 *
 * - `file:PATH`, `file:///ABS/PATH` (or `file://localhost/…`), or a bare path starting
 *   with `/`, `./` or `../` → `{ kind: "file", path }`; `path` is kept as written
 *   (relative paths resolve against the cwd when the store is opened).
 * - `s3://BUCKET/PREFIX?endpoint=URL&region=R&forcePathStyle=true` → `{ kind: "s3", … }`.
 *   Query values may be %-encoded. The prefix loses the `/` after the bucket and gains a
 *   trailing one, so `s3://b/mirror` and `s3://b/mirror/` both store `mirror/juju/…`.
 *
 * Anything else throws `InvalidStoreUrlError`, whose message lists the accepted forms.
 */
export function parseStoreUrl(input: string): StoreUrl {
  const text = input.trim();
  if (text === "") throw invalid(input, "it is empty");
  if (text.startsWith("file:")) return parseFileUrl(text, text.slice("file:".length));
  if (text.startsWith("s3://")) return parseS3Url(text, text.slice("s3://".length));
  if (/^(\/|\.\.?(\/|$))/.test(text)) return { kind: "file", path: text };
  const scheme = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text)?.[1];
  if (scheme !== undefined) throw invalid(text, `the scheme \`${scheme}:\` is not supported`);
  throw invalid(text, `a relative path starts with ./ (write ./${text} or file:${text})`);
}
