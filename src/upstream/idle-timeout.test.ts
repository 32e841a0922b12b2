import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { withIdleTimeout } from "./idle-timeout.ts";

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

/** A source whose chunks the test releases one by one. */
function controlledSource() {
  let controller!: ReadableStreamDefaultController<Uint8Array>;
  let cancelled: unknown = "not cancelled";
  const stream = new ReadableStream<Uint8Array>({
    start(c) {
      controller = c;
    },
    cancel(reason) {
      cancelled = reason;
    },
  });
  return {
    stream,
    push: (size: number) => controller.enqueue(new Uint8Array(size)),
    end: () => controller.close(),
    cancelled: () => cancelled,
  };
}

describe("withIdleTimeout", () => {
  it("fails with the onIdle error when no chunk comes in time, and cancels the source", async () => {
    const source = controlledSource();
    const settled = vi.fn();
    const body = withIdleTimeout(source.stream, {
      idleTimeoutMs: 100,
      onIdle: (bytes) => new Error(`stalled after ${bytes}`),
      onSettled: settled,
    });
    const reader = body.getReader();
    source.push(7);
    expect((await reader.read()).value?.byteLength).toBe(7);
    const next = reader.read();
    const failed = expect(next).rejects.toThrow("stalled after 7");
    await vi.advanceTimersByTimeAsync(100);
    await failed;
    expect(source.cancelled()).toBeInstanceOf(Error);
    expect(settled).toHaveBeenCalledTimes(1);
  });

  it("does not count time while the consumer is not reading", async () => {
    const source = controlledSource();
    const onIdle = vi.fn(() => new Error("stalled"));
    const body = withIdleTimeout(source.stream, { idleTimeoutMs: 100, onIdle });
    source.push(1);
    source.push(2);
    source.end();
    await vi.advanceTimersByTimeAsync(10_000);
    const sizes: number[] = [];
    for await (const chunk of body) sizes.push(chunk.byteLength);
    expect(sizes).toEqual([1, 2]);
    expect(onIdle).not.toHaveBeenCalled();
  });

  it("restarts the clock for every chunk", async () => {
    const source = controlledSource();
    const body = withIdleTimeout(source.stream, {
      idleTimeoutMs: 100,
      onIdle: () => new Error("stalled"),
    });
    const reader = body.getReader();
    for (let i = 1; i <= 3; i++) {
      const next = reader.read();
      await vi.advanceTimersByTimeAsync(90);
      source.push(i);
      expect((await next).value?.byteLength).toBe(i);
    }
    const end = reader.read();
    source.end();
    expect((await end).done).toBe(true);
  });

  it("maps a failure of the source", async () => {
    const source = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.error(new TypeError("terminated"));
      },
    });
    const body = withIdleTimeout(source, {
      idleTimeoutMs: 100,
      onIdle: () => new Error("stalled"),
      mapError: (error, bytes) => new Error(`mapped ${(error as Error).message} at ${bytes}`),
    });
    await expect(body.getReader().read()).rejects.toThrow("mapped terminated at 0");
  });

  it("passes a cancel on to the source", async () => {
    const source = controlledSource();
    const settled = vi.fn();
    const body = withIdleTimeout(source.stream, {
      idleTimeoutMs: 100,
      onIdle: () => new Error("stalled"),
      onSettled: settled,
    });
    await body.cancel("not needed");
    expect(source.cancelled()).toBe("not needed");
    expect(settled).toHaveBeenCalledTimes(1);
  });
});
