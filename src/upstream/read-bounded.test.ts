import { describe, expect, it } from "vitest";
import { formatBytes, readBounded } from "./read-bounded.ts";

function streamOf(chunks: readonly number[], onCancel?: () => void): ReadableStream<Uint8Array> {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const size = chunks[i++];
      if (size === undefined) controller.close();
      else controller.enqueue(new Uint8Array(size).fill(i));
    },
    cancel: onCancel,
  });
}

describe("readBounded", () => {
  it("joins the chunks of a body within the limit", async () => {
    const bytes = await readBounded(streamOf([2, 3]), 5, () => new Error("too large"));
    expect([...bytes]).toEqual([1, 1, 2, 2, 2]);
  });

  it("stops and cancels the body as soon as it exceeds the limit", async () => {
    let cancelled = 0;
    const pulled: number[] = [];
    const body = streamOf([3, 3, 3, 3], () => {
      cancelled++;
    });
    await expect(
      readBounded(body, 5, (bytes) => {
        pulled.push(bytes);
        return new Error(`too large at ${bytes}`);
      }),
    ).rejects.toThrow("too large at 6");
    expect(pulled).toEqual([6]);
    expect(cancelled).toBe(1);
  });
});

describe("formatBytes", () => {
  it.each([
    [64 * 1024 * 1024, "64 MiB"],
    [4096, "4 KiB"],
    [1500, "1500 B"],
    [0, "0 B"],
  ])("writes %i as %s", (bytes, text) => {
    expect(formatBytes(bytes)).toBe(text);
  });
});
