/**
 * How the S3 adapter fails, against a scripted S3 stand-in on loopback: retries of 5xx
 * answers, errors that must never read as "not found", missing credentials, and the
 * DeleteObjects requests Swift insists on. The real servers are in s3-miniflare.test.ts
 * and test/system/s3-swift.test.ts.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { StoreError } from "../../src/store/errors.ts";
import { createS3Store, type S3StoreOptions } from "../../src/store/s3.ts";

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage["headers"];
  body: string;
}

type Script = (request: Seen, response: ServerResponse) => void;

function s3Error(response: ServerResponse, status: number, code: string, message: string) {
  response.writeHead(status, { "content-type": "application/xml" });
  response.end(
    `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`,
  );
}

function object(response: ServerResponse, body: string) {
  response.writeHead(200, {
    "content-type": "text/plain",
    "content-length": String(Buffer.byteLength(body)),
    etag: '"0123456789abcdef0123456789abcdef"',
    "last-modified": "Mon, 23 Nov 2026 18:00:00 GMT",
  });
  response.end(body);
}

let server: Server | undefined;
let seen: Seen[] = [];
let script: Script = (_request, response) => s3Error(response, 500, "InternalError", "unscripted");

beforeEach(async () => {
  seen = [];
  server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      const entry = {
        method: request.method ?? "",
        url: request.url ?? "",
        headers: request.headers,
        body: Buffer.concat(chunks).toString("utf8"),
      };
      seen.push(entry);
      script(entry, response);
    });
  });
  await new Promise<void>((done) => server?.listen(0, "127.0.0.1", done));
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await new Promise((done) => server?.close(done));
});

function serverPort(): number {
  const address = server?.address();
  if (typeof address !== "object" || address === null)
    throw new Error("the stand-in is not listening");
  return (address as AddressInfo).port;
}

function options(extra: Partial<S3StoreOptions> = {}): S3StoreOptions {
  return {
    bucket: "mirror",
    endpoint: extra.endpoint ?? `http://127.0.0.1:${serverPort()}`,
    forcePathStyle: true,
    region: "us-east-1",
    credentials: { accessKeyId: "key", secretAccessKey: "secret" },
    conditionalWrites: false,
    ...extra,
  };
}

describe("createS3Store, when S3 fails", () => {
  it("retries a 503 SlowDown with the SDK's backoff and then reads the object", async () => {
    script = (_request, response) => {
      if (seen.length <= 2) s3Error(response, 503, "SlowDown", "Please reduce your request rate.");
      else object(response, "hello");
    };
    const store = await createS3Store(options());
    const read = await store.get("juju/x");
    expect(await new Response(read?.body).text()).toBe("hello");
    expect(seen.map((request) => request.method)).toEqual(["GET", "GET", "GET"]);
  });

  it("gives up after maxAttempts with a StoreError naming the operation, key and status", async () => {
    script = (_request, response) =>
      s3Error(response, 503, "SlowDown", "Please reduce your request rate.");
    const store = await createS3Store(options({ maxAttempts: 2 }));
    const failure = await store.get("juju/x").then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(StoreError);
    expect((failure as Error).message).toBe(
      '[streamgate] [s3] GetObject failed for "juju/x": SlowDown (HTTP 503): Please reduce your request rate.',
    );
    expect(seen).toHaveLength(2);
  });

  it("answers a 403 or a 5xx on HEAD with a StoreError, never null", async () => {
    const store = await createS3Store(options({ maxAttempts: 1 }));
    for (const status of [403, 500]) {
      script = (_request, response) => {
        response.writeHead(status);
        response.end();
      };
      await expect(store.head("juju/x")).rejects.toThrow(
        new RegExp(`HeadObject failed for "juju/x": .*\\(HTTP ${status}\\)`),
      );
    }
  });

  it("answers an unreachable endpoint with a StoreError, at open time too", async () => {
    const port = serverPort();
    await new Promise((done) => server?.close(done));
    const down = options({ endpoint: `http://127.0.0.1:${port}`, maxAttempts: 1 });
    await expect(createS3Store({ ...down, conditionalWrites: undefined })).rejects.toThrow(
      /\[s3\] PutObject \(conditional-write probe\) failed .*ECONNREFUSED/,
    );
    const store = await createS3Store(down);
    await expect(store.get("juju/x")).rejects.toThrow(
      /GetObject failed for "juju\/x": .*ECONNREFUSED/,
    );
  });

  it("says where credentials are looked for when there are none, before sending anything", async () => {
    for (const name of [
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "AWS_SESSION_TOKEN",
      "AWS_PROFILE",
      "AWS_WEB_IDENTITY_TOKEN_FILE",
      "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
      "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    ]) {
      vi.stubEnv(name, undefined);
    }
    const nowhere = join(tmpdir(), `streamgate-no-aws-config-${process.pid}`);
    vi.stubEnv("AWS_SHARED_CREDENTIALS_FILE", join(nowhere, "credentials"));
    vi.stubEnv("AWS_CONFIG_FILE", join(nowhere, "config"));
    // Never ask an instance metadata service, which is not on loopback.
    vi.stubEnv("AWS_EC2_METADATA_DISABLED", "true");
    const { credentials: _, ...anonymous } = options();
    await expect(createS3Store({ ...anonymous, conditionalWrites: undefined })).rejects.toThrow(
      /no AWS credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile \(AWS_PROFILE\) from the shared config files/,
    );
    const store = await createS3Store(anonymous);
    await expect(store.get("juju/x")).rejects.toThrow(
      /GetObject failed for "juju\/x": no AWS credentials found/,
    );
    expect(seen).toEqual([]);
  });
});

describe("createS3Store's delete", () => {
  it("sends 1,000 keys per DeleteObjects, each request with the Content-MD5 Swift requires", async () => {
    script = (_request, response) => {
      response.writeHead(200, { "content-type": "application/xml" });
      response.end('<?xml version="1.0" encoding="UTF-8"?><DeleteResult></DeleteResult>');
    };
    const store = await createS3Store(options());
    const keys = Array.from({ length: 1500 }, (_, index) => `del/${index}`);
    await store.delete([...keys, "del/0"]);
    expect(seen.map((request) => `${request.method} ${request.url}`)).toEqual([
      "POST /mirror/?delete=",
      "POST /mirror/?delete=",
    ]);
    const counts = seen.map((request) => request.body.split("<Key>").length - 1);
    expect(counts).toEqual([1000, 500]);
    for (const request of seen) {
      expect(request.headers["content-md5"]).toBe(
        createHash("md5").update(request.body).digest("base64"),
      );
    }
  });

  it("ignores NoSuchKey in a DeleteObjects answer and reports any other per-key error", async () => {
    script = (request, response) => {
      response.writeHead(200, { "content-type": "application/xml" });
      const denied = request.body.includes("<Key>del/locked</Key>")
        ? "<Error><Key>del/locked</Key><Code>AccessDenied</Code><Message>Access Denied</Message></Error>"
        : "";
      response.end(
        `<?xml version="1.0" encoding="UTF-8"?><DeleteResult><Error><Key>del/gone</Key><Code>NoSuchKey</Code><Message>gone</Message></Error>${denied}</DeleteResult>`,
      );
    };
    const store = await createS3Store(options());
    await store.delete(["del/gone", "del/free"]);
    await expect(store.delete(["del/gone", "del/locked"])).rejects.toThrow(
      '[streamgate] [s3] DeleteObjects failed for "del/locked": 1 of 2 keys were not deleted; first: AccessDenied: Access Denied',
    );
  });
});
