import { describe, expect, it } from "vitest";
import { readBodyBytes } from "./body-bytes.ts";

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

describe("readBodyBytes", () => {
  it("returns a single chunk as it is, without copying", async () => {
    const chunk = new Uint8Array([1, 2, 3]);
    expect(await readBodyBytes(streamOf([chunk]))).toBe(chunk);
  });

  it("joins several chunks, empty ones included, in order", async () => {
    const bytes = await readBodyBytes(
      streamOf([new Uint8Array([1]), new Uint8Array(0), new Uint8Array([2, 3])]),
    );
    expect([...bytes]).toEqual([1, 2, 3]);
  });

  it("returns no bytes for an empty stream", async () => {
    expect((await readBodyBytes(streamOf([]))).byteLength).toBe(0);
  });

  it("fails when the stream fails", async () => {
    const failing = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new Uint8Array([1]));
        controller.error(new Error("read error"));
      },
    });
    await expect(readBodyBytes(failing)).rejects.toThrow("read error");
  });
});
