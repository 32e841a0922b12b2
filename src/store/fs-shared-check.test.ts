/**
 * The fs store checks a kept small file with one `stat` shared by the gets that ask at the
 * same moment. `node:fs`'s callback `stat` (which only that check uses) is wrapped here so
 * the test can count calls and hold them.
 */
import type { BigIntStats, PathLike, StatOptions } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createFsStore } from "./fs.ts";
import type { ObjectStore } from "./object-store.ts";

const control = vi.hoisted(() => ({
  calls: 0,
  hold: false,
  held: [] as (() => void)[],
}));

vi.mock("node:fs", async (importOriginal) => {
  const actual = await importOriginal<typeof import("node:fs")>();
  function stat(
    path: PathLike,
    options: StatOptions,
    callback: (error: NodeJS.ErrnoException | null, stats: BigIntStats) => void,
  ): void {
    control.calls += 1;
    const run = () => actual.stat(path, { ...options, bigint: true }, callback);
    if (control.hold) control.held.push(run);
    else run();
  }
  return { ...actual, default: { ...actual, stat }, stat };
});

const KEY = "juju/tools/streams/v1/index2.json";
let base = "";
let count = 0;
let store: ObjectStore;

async function textOf(pending: ReturnType<ObjectStore["get"]>): Promise<string | null> {
  const object = await pending;
  return object === null ? null : new Response(object.body).text();
}

function release(): void {
  control.hold = false;
  for (const run of control.held.splice(0)) run();
}

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "streamgate-fs-check-"));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

beforeEach(async () => {
  store = createFsStore({ root: join(base, `store-${++count}`) });
  await store.put(KEY, '{"v": 1}\n');
  // The first get reads the file from disk and keeps it.
  expect(await textOf(store.get(KEY))).toBe('{"v": 1}\n');
  control.calls = 0;
});

describe("fs store: shared check of a kept small file", () => {
  it("stats the file once for gets that ask at the same time", async () => {
    control.hold = true;
    const gets = Array.from({ length: 5 }, () => textOf(store.get(KEY)));
    await Promise.resolve();
    expect(control.calls).toBe(1);
    release();
    expect(await Promise.all(gets)).toEqual(Array(5).fill('{"v": 1}\n'));
  });

  it("stats anew for a get that follows a put, while an older check still runs", async () => {
    control.hold = true;
    const before = textOf(store.get(KEY));
    control.hold = false;
    await store.put(KEY, '{"v": 2}\n');
    // Read from disk (the put dropped the kept copy) and kept again.
    expect(await textOf(store.get(KEY))).toBe('{"v": 2}\n');
    const after = textOf(store.get(KEY));
    const calls = control.calls;
    release();
    expect(calls).toBe(2);
    expect(await after).toBe('{"v": 2}\n');
    expect(await before).toMatch(/^\{"v": [12]\}\n$/);
  });

  it("answers null to every get sharing the check of a file deleted meanwhile", async () => {
    await rm(join(base, `store-${count}`, KEY));
    const gets = [store.get(KEY), store.get(KEY)];
    expect(await Promise.all(gets)).toEqual([null, null]);
    expect(control.calls).toBe(1);
  });
});
