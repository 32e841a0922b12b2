import { describe, expect, it } from "vitest";
import { createPartBuffers } from "./part-buffers.ts";

/** Whether `promise` has settled once pending callbacks have run. */
async function settled(promise: Promise<unknown>): Promise<boolean> {
  let done = false;
  promise.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await new Promise((resolve) => setImmediate(resolve));
  return done;
}

describe("createPartBuffers", () => {
  it("hands out up to maxBuffers buffers of partSize, then makes the next caller wait", async () => {
    const pool = createPartBuffers(16, 2);
    const first = await pool.acquire();
    const second = await pool.acquire();
    expect([first.byteLength, second.byteLength]).toEqual([16, 16]);
    expect(first).not.toBe(second);
    const third = pool.acquire();
    expect(await settled(third)).toBe(false);
    pool.release(first);
    expect(await third).toBe(first);
  });

  it("serves waiters in the order they came", async () => {
    const pool = createPartBuffers(8, 1);
    const only = await pool.acquire();
    const order: string[] = [];
    const a = pool.acquire().then((buffer) => {
      order.push("a");
      return buffer;
    });
    const b = pool.acquire().then((buffer) => {
      order.push("b");
      return buffer;
    });
    pool.release(only);
    pool.release(await a);
    await b;
    expect(order).toEqual(["a", "b"]);
  });

  it("reuses a free buffer while others are held, and lets all go once none is", async () => {
    const pool = createPartBuffers(8, 3);
    const kept = await pool.acquire();
    const returned = await pool.acquire();
    pool.release(returned);
    expect(await pool.acquire()).toBe(returned);
    pool.release(returned);
    pool.release(kept);
    const fresh = await pool.acquire();
    expect(fresh).not.toBe(returned);
    expect(fresh).not.toBe(kept);
  });

  it.each([
    [0, 1, /`partSize`/],
    [8, 0, /`maxBuffers`/],
    [8, 1.5, /`maxBuffers`/],
  ])("refuses partSize %s with maxBuffers %s", (partSize, maxBuffers, message) => {
    expect(() => createPartBuffers(partSize, maxBuffers)).toThrow(message);
  });
});
