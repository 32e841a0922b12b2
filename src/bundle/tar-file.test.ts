import { access, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { partialPath, writeTarFile } from "./tar-file.ts";
import { readTar, temporaryDirectory } from "./test-support.ts";

async function exists(path: string): Promise<boolean> {
  return access(path).then(
    () => true,
    () => false,
  );
}

async function* chunks(...parts: string[]): AsyncGenerator<Uint8Array> {
  for (const part of parts) yield new TextEncoder().encode(part);
}

describe("writeTarFile", () => {
  it("writes the entries in order and renames the partial file into place", async () => {
    const file = join(await temporaryDirectory("tar"), "out.tar");
    const result = await writeTarFile(file, async (add) => {
      await add({ name: "first.txt", size: 5, body: new TextEncoder().encode("hello") });
      await add({ name: "a/second.bin", size: 11, body: chunks("streamed ", "in") });
    });
    const entries = await readTar(file);
    expect(entries.map(({ name, body }) => [name, body.toString()])).toEqual([
      ["first.txt", "hello"],
      ["a/second.bin", "streamed in"],
    ]);
    expect(result.bytes).toBe((await readFile(file)).byteLength);
    expect(await exists(partialPath(file))).toBe(false);
  });

  it("removes the partial file and keeps an existing FILE when the producer fails", async () => {
    const file = join(await temporaryDirectory("tar"), "out.tar");
    await writeFile(file, "previous bundle");
    await expect(
      writeTarFile(file, async (add) => {
        await add({ name: "ok.txt", size: 2, body: chunks("ok") });
        throw new Error("producer gave up");
      }),
    ).rejects.toThrow("producer gave up");
    expect(await readFile(file, "utf8")).toBe("previous bundle");
    expect(await exists(partialPath(file))).toBe(false);
  });

  it("fails with the body's own error when an entry's stream breaks", async () => {
    const file = join(await temporaryDirectory("tar"), "out.tar");
    async function* broken(): AsyncGenerator<Uint8Array> {
      yield new Uint8Array(10);
      throw new Error("source broke");
    }
    await expect(
      writeTarFile(file, (add) => add({ name: "x.bin", size: 100, body: broken() })),
    ).rejects.toThrow("source broke");
    expect(await exists(file)).toBe(false);
    expect(await exists(partialPath(file))).toBe(false);
  });

  it("fails when a body is shorter than its declared size", async () => {
    const file = join(await temporaryDirectory("tar"), "out.tar");
    await expect(
      writeTarFile(file, (add) => add({ name: "x.bin", size: 100, body: chunks("short") })),
    ).rejects.toThrow(/Size mismatch/);
    expect(await exists(partialPath(file))).toBe(false);
  });
});
