import { mkdir, mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { beforeAll, describe, expect, it } from "vitest";
import { UpstreamError } from "./errors.ts";
import { createFileTransport } from "./file-transport.ts";

let root: string;
const url = (path: string) => `${pathToFileURL(root).href}/${path}`;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), "streamgate-file-transport-"));
  await mkdir(join(root, "streams", "v1"), { recursive: true });
  await writeFile(join(root, "streams/v1/index2.sjson"), "signed index\n");
  await writeFile(join(root, "big.tgz"), new Uint8Array(300 * 1024).fill(7));
});

async function failure(promise: Promise<unknown>): Promise<UpstreamError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UpstreamError);
  return error as UpstreamError;
}

describe("createFileTransport", () => {
  it("reads a metadata file", async () => {
    const bytes = await createFileTransport().read(url("streams/v1/index2.sjson"));
    expect(new TextDecoder().decode(bytes)).toBe("signed index\n");
  });

  it("streams a file in chunks with its size", async () => {
    const object = await createFileTransport().open(url("big.tgz"));
    expect(object.size).toBe(300 * 1024);
    let chunks = 0;
    let bytes = 0;
    for await (const chunk of object.body) {
      chunks++;
      bytes += chunk.byteLength;
    }
    expect(bytes).toBe(300 * 1024);
    expect(chunks).toBeGreaterThan(1);
  });

  it.each(["streams/v1/missing.sjson", "streams/v1", "streams/v1/index2.sjson/x"])(
    "reports %s as not found",
    async (path) => {
      const error = await failure(createFileTransport().read(url(path)));
      expect(error.reason).toBe("not-found");
      expect(error.message).toContain(`not found: ${url(path)}`);
    },
  );

  it("refuses a metadata file over the limit", async () => {
    const error = await failure(
      createFileTransport({ maxMetadataBytes: 1024 }).read(url("big.tgz")),
    );
    expect(error.reason).toBe("too-large");
    expect(error.message).toContain("1 KiB allowed");
  });

  it("validates its options", () => {
    expect(() => createFileTransport({ maxMetadataBytes: -5 })).toThrow(/`maxMetadataBytes`/);
  });

  it("refuses other schemes", async () => {
    await expect(createFileTransport().read("https://h/x.sjson")).rejects.toThrow(
      /file:\/\/ URLs only/,
    );
  });

  it("stops a stream when the caller aborts", async () => {
    const controller = new AbortController();
    const object = await createFileTransport().open(url("big.tgz"), { signal: controller.signal });
    const reader = object.body.getReader();
    await reader.read();
    controller.abort(new Error("cancelled by sync"));
    await expect(reader.read()).rejects.toThrow("cancelled by sync");
  });
});
