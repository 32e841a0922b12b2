/**
 * The one contract every `ObjectStore` adapter passes (memory, fs, S3, R2). An adapter's
 * test file is a few lines calling `runStoreContract`. Test bodies use web-standard APIs
 * only — no `node:` import here — so the R2 adapter runs the same suite inside workerd;
 * whatever needs Node (resident memory) is injected through the options.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  IntegrityError,
  InvalidKeyError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
  StoreError,
} from "./errors.ts";
import { createSha256 } from "./incremental-sha256.ts";
import { compareKeys } from "./keys.ts";
import type { ObjectInfo, ObjectStore, PutOptions } from "./object-store.ts";
import {
  collect,
  eachLimited,
  failingStream,
  gatedStream,
  hashStream,
  patternBytes,
  patternRange,
  patternStream,
  readBytes,
  readText,
  sha256Hex,
  streamOf,
} from "./store-contract-helpers.ts";

/** Groups of cases, for `skip`. */
export type StoreContractCase =
  | "round-trip"
  | "head"
  | "ranges"
  | "listing"
  | "conditional-writes"
  | "atomic-replace"
  | "integrity"
  | "delete"
  | "keys";

export interface LargeObjectOptions {
  /** Size of the streamed object (default 64 MiB). */
  bytes?: number;
  /**
   * Resident memory of the process in bytes, e.g. `() => process.memoryUsage().rss`. Given,
   * the case checks it never grows by more than `maxRssGrowth` while the object streams.
   */
  measureRss?: () => number;
  /** Default 100 MB. */
  maxRssGrowth?: number;
}

export interface StoreContractOptions {
  /** Shown in the suite title: `fs`, `memory`, `r2 (workerd)`. */
  name: string;
  /** A fresh, empty store for every test. */
  createStore: () => ObjectStore | Promise<ObjectStore>;
  /** Called after every test with the store it used (remove a temp folder, a bucket prefix). */
  destroyStore?: (store: ObjectStore) => void | Promise<void>;
  /**
   * Case groups this adapter cannot run. Every skip is a gap in what the adapter
   * guarantees: say why next to it, and prefer fixing the adapter.
   */
  skip?: readonly StoreContractCase[];
  /** More tests, registered inside the suite; `store()` is the current test's store. */
  extraTests?: (store: () => ObjectStore) => void;
  /**
   * Streams an object far larger than memory should hold through put and get. For
   * adapters that stream (fs, S3); not for memory, which buffers by design.
   */
  largeObjects?: LargeObjectOptions;
}

const MiB = 1024 * 1024;

/** Keys every adapter must refuse, each for a different rule. */
const INVALID_KEYS = [
  "",
  "../escape",
  "a/../b",
  "a/./b",
  "/absolute",
  "a\\b",
  "a\0b",
  "tab\there",
  ".hidden/x",
  "a/.git/config",
  "a//b",
  "trailing/",
  ".streamgate",
  `${"k/".repeat(512)}x`,
];

/** Keys with awkward characters and ordering traps: `-` and `.` sort before `/`. */
const ORDER_KEYS = [
  "order/a-b",
  "order/a.b",
  "order/a/b",
  "order/a0",
  "order/ab",
  "order/B",
  "order/with space",
  "order/é",
  "order/ｚ",
  "order/😀",
];

function expectInfo(info: ObjectInfo | null, expected: Partial<ObjectInfo>): ObjectInfo {
  expect(info).not.toBeNull();
  const actual = info as ObjectInfo;
  expect(actual).toMatchObject(expected);
  expect(typeof actual.etag).toBe("string");
  expect(actual.etag.length).toBeGreaterThan(0);
  expect(actual.lastModified).toBeInstanceOf(Date);
  expect(Number.isNaN(actual.lastModified.getTime())).toBe(false);
  return actual;
}

function keysOf(infos: readonly ObjectInfo[]): string[] {
  return infos.map((info) => info.key);
}

export function runStoreContract(options: StoreContractOptions): void {
  const skipped = new Set(options.skip ?? []);
  const group = (name: StoreContractCase, cases: () => void) =>
    describe.skipIf(skipped.has(name))(name, cases);

  describe(`${options.name} store contract`, () => {
    let current: ObjectStore | undefined;
    const store = (): ObjectStore => {
      if (current === undefined) throw new Error("the store is created in beforeEach");
      return current;
    };

    beforeEach(async () => {
      current = await options.createStore();
    });

    afterEach(async () => {
      if (current !== undefined) await options.destroyStore?.(current);
      current = undefined;
    });

    async function expectObject(key: string, bytes: Uint8Array<ArrayBuffer>, etag?: string) {
      const object = await store().get(key);
      expect(object).not.toBeNull();
      expect(await readBytes((object as { body: ReadableStream<Uint8Array> }).body)).toEqual(bytes);
      const info = expectInfo(object, { key, size: bytes.byteLength });
      if (etag !== undefined) expect(info.etag).toBe(etag);
      return info;
    }

    group("round-trip", () => {
      it("returns the bytes of a Uint8Array put, with their sha256", async () => {
        const bytes = patternBytes(300_000, 1);
        const written = await store().put("rt/bytes.bin", bytes);
        const sha256 = await sha256Hex(bytes);
        expectInfo(written, { key: "rt/bytes.bin", size: bytes.byteLength, sha256 });
        const read = await expectObject("rt/bytes.bin", bytes, written.etag);
        expect(read.sha256).toBe(sha256);
      });

      it("stores a string as UTF-8", async () => {
        const text = "héllo ✓ wörld\n";
        await store().put("rt/text.txt", text, { contentType: "text/plain; charset=utf-8" });
        const object = await store().get("rt/text.txt");
        expect(await readText((object as { body: ReadableStream<Uint8Array> }).body)).toBe(text);
        expectInfo(object, {
          size: new TextEncoder().encode(text).byteLength,
          sha256: await sha256Hex(text),
          contentType: "text/plain; charset=utf-8",
        });
      });

      it("stores a streamed body chunk by chunk, empty chunks included", async () => {
        const chunks = [patternBytes(1000, 2), new Uint8Array(0), patternBytes(70_000, 3)];
        const whole = new Uint8Array([...(chunks[0] ?? []), ...(chunks[2] ?? [])]);
        const written = await store().put("rt/stream.bin", streamOf(chunks), {
          contentType: "application/octet-stream",
        });
        expectInfo(written, { size: whole.byteLength, sha256: await sha256Hex(whole) });
        await expectObject("rt/stream.bin", whole, written.etag);
      });

      it("stores an empty object", async () => {
        const written = await store().put("rt/empty", new Uint8Array(0));
        expectInfo(written, { size: 0, sha256: await sha256Hex("") });
        await expectObject("rt/empty", new Uint8Array(0));
      });

      it("replaces an object and gives it a new etag", async () => {
        const first = await store().put("rt/replaced", "first version");
        const second = await store().put("rt/replaced", "second, longer version");
        expect(second.etag).not.toBe(first.etag);
        await expectObject(
          "rt/replaced",
          new TextEncoder().encode("second, longer version"),
          second.etag,
        );
      });

      it("keeps what was written when the caller reuses its buffer", async () => {
        const bytes = patternBytes(4096, 4);
        const copy = bytes.slice();
        await store().put("rt/reused", bytes);
        bytes.fill(0);
        await expectObject("rt/reused", copy);
      });

      it("lets a reader cancel a body half-way", async () => {
        const bytes = patternBytes(3 * MiB, 5);
        await store().put("rt/cancelled", bytes);
        const object = await store().get("rt/cancelled");
        const reader = (object as { body: ReadableStream<Uint8Array> }).body.getReader();
        const first = await reader.read();
        expect(first.done).toBe(false);
        await reader.cancel();
        await store().delete(["rt/cancelled"]);
        expect(await store().head("rt/cancelled")).toBeNull();
      });
    });

    group("head", () => {
      it("describes an object like the put did, without reading it", async () => {
        const written = await store().put("head/x.json", '{"a":1}\n', {
          contentType: "application/json",
        });
        const info = await store().head("head/x.json");
        expectInfo(info, {
          key: "head/x.json",
          size: 8,
          etag: written.etag,
          contentType: "application/json",
          sha256: await sha256Hex('{"a":1}\n'),
        });
        expect(info).not.toHaveProperty("body");
      });

      it("answers null for a missing key, from get and from head", async () => {
        expect(await store().get("head/missing")).toBeNull();
        expect(await store().head("head/missing")).toBeNull();
        expect(await store().get("head/missing", { range: { offset: 0 } })).toBeNull();
      });

      it("answers null for a key that is only a folder of other keys, or below an object", async () => {
        await store().put("head/folder/inside", "x");
        expect(await store().head("head/folder")).toBeNull();
        expect(await store().get("head/folder")).toBeNull();
        expect(await store().head("head/folder/inside/deeper")).toBeNull();
        expect(await store().get("head/folder/inside/deeper")).toBeNull();
      });
    });

    group("ranges", () => {
      const bytes = patternBytes(1000, 6);
      const key = "ranges/object.bin";

      // Put on first use rather than in a beforeEach: the group is nested through a helper.
      const prepared = new WeakSet<ObjectStore>();
      async function prepare() {
        if (prepared.has(store())) return;
        await store().put(key, bytes);
        prepared.add(store());
      }

      async function ranged(range: Parameters<ObjectStore["get"]>[1]) {
        await prepare();
        const object = await store().get(key, range);
        expect(object).not.toBeNull();
        const body = await readBytes((object as { body: ReadableStream<Uint8Array> }).body);
        expect(object?.size).toBe(bytes.byteLength);
        return { body, range: object?.range };
      }

      it("reads an offset and a length", async () => {
        const read = await ranged({ range: { offset: 100, length: 50 } });
        expect(read.body).toEqual(bytes.slice(100, 150));
        expect(read.range).toEqual({ offset: 100, length: 50 });
      });

      it("reads from an offset to the end", async () => {
        const read = await ranged({ range: { offset: 990 } });
        expect(read.body).toEqual(bytes.slice(990));
        expect(read.range).toEqual({ offset: 990, length: 10 });
      });

      it("cuts a length that runs past the end", async () => {
        const read = await ranged({ range: { offset: 995, length: 100 } });
        expect(read.body).toEqual(bytes.slice(995));
        expect(read.range).toEqual({ offset: 995, length: 5 });
      });

      it("reads a suffix, and all of it when the suffix is longer than the object", async () => {
        const tail = await ranged({ range: { suffix: 24 } });
        expect(tail.body).toEqual(bytes.slice(976));
        expect(tail.range).toEqual({ offset: 976, length: 24 });
        const all = await ranged({ range: { suffix: 5000 } });
        expect(all.body).toEqual(bytes);
        expect(all.range).toEqual({ offset: 0, length: 1000 });
      });

      it("reads the first and the last byte", async () => {
        expect((await ranged({ range: { offset: 0, length: 1 } })).body).toEqual(bytes.slice(0, 1));
        expect((await ranged({ range: { offset: 999 } })).body).toEqual(bytes.slice(999));
      });

      it("refuses a range that starts at or past the end", async () => {
        await prepare();
        for (const range of [{ offset: 1000 }, { offset: 5000, length: 10 }, { suffix: 0 }]) {
          const failure = await store()
            .get(key, { range })
            .then(
              () => undefined,
              (error: unknown) => error,
            );
          expect(failure).toBeInstanceOf(RangeNotSatisfiableError);
          expect((failure as RangeNotSatisfiableError).size).toBe(1000);
        }
      });

      it("refuses any range of an empty object", async () => {
        await store().put("ranges/empty", "");
        await expect(store().get("ranges/empty", { range: { offset: 0 } })).rejects.toBeInstanceOf(
          RangeNotSatisfiableError,
        );
        await expect(store().get("ranges/empty", { range: { suffix: 1 } })).rejects.toBeInstanceOf(
          RangeNotSatisfiableError,
        );
      });
    });

    group("listing", () => {
      it("lists more than 1,000 keys in ascending order, filters by prefix, and deletes them in one call", async () => {
        const keys = Array.from({ length: 1050 }, (_, index) => {
          const name = String(index).padStart(4, "0");
          return `list/d${index % 3}/k${name}${index % 7 === 0 ? ".json" : ""}`;
        });
        const sizes = new Map(keys.map((key, index) => [key, index % 50]));
        await eachLimited(keys, 16, (key) => store().put(key, "x".repeat(sizes.get(key) ?? 0)));
        await store().put("lis", "outside every prefix below but `lis`");

        const listed = await collect(store().list("list/"));
        expect(keysOf(listed)).toEqual([...keys].sort(compareKeys));
        for (const info of listed) expectInfo(info, { size: sizes.get(info.key) });

        const d1 = await collect(store().list("list/d1/"));
        expect(keysOf(d1)).toEqual(
          keys.filter((key) => key.startsWith("list/d1/")).sort(compareKeys),
        );
        const partial = await collect(store().list("list/d2/k00"));
        expect(keysOf(partial)).toEqual(
          keys.filter((key) => key.startsWith("list/d2/k00")).sort(compareKeys),
        );
        expect(keysOf(await collect(store().list("lis")))).toHaveLength(keys.length + 1);
        expect(await collect(store().list("list/none/"))).toEqual([]);

        await store().delete(keys);
        expect(keysOf(await collect(store().list("")))).toEqual(["lis"]);
      }, 300_000);

      it("orders keys by code point, as S3 and R2 do", async () => {
        for (const key of ORDER_KEYS) await store().put(key, key);
        const listed = keysOf(await collect(store().list("order/")));
        expect(listed).toEqual([...ORDER_KEYS].sort(compareKeys));
        // UTF-16 order would put the astral 😀 before the fullwidth ｚ (U+FF5A).
        expect(listed.indexOf("order/ｚ")).toBeLessThan(listed.indexOf("order/😀"));
        expect(listed.indexOf("order/a-b")).toBeLessThan(listed.indexOf("order/a/b"));
      });

      it("reports the same etag and size as head", async () => {
        await store().put("same/one", "one", { contentType: "text/plain" });
        const [listed] = await collect(store().list("same/"));
        const info = await store().head("same/one");
        expect(listed?.etag).toBe(info?.etag);
        expect(listed?.size).toBe(3);
        expect(listed?.lastModified.getTime()).toBe(info?.lastModified.getTime());
      });

      it("leaves internal keys out of a listing unless the prefix is internal", async () => {
        await store().put("visible/x", "x");
        await store().put(".streamgate/state/agents.json", "{}");
        await store().put(".streamgate/lock/agents", "lease");
        expect(keysOf(await collect(store().list("")))).toEqual(["visible/x"]);
        expect(keysOf(await collect(store().list(".streamgate/")))).toEqual([
          ".streamgate/lock/agents",
          ".streamgate/state/agents.json",
        ]);
        expect(keysOf(await collect(store().list(".streamgate/st")))).toEqual([
          ".streamgate/state/agents.json",
        ]);
      });

      it("refuses a prefix that no valid key can start with", async () => {
        for (const prefix of ["../", "/abs", "a\\b", "a/../", ".git/"]) {
          await expect(collect(store().list(prefix))).rejects.toBeInstanceOf(InvalidKeyError);
        }
      });
    });

    group("conditional-writes", () => {
      it("reports conditionalWrites as a boolean", () => {
        expect(typeof store().capabilities.conditionalWrites).toBe("boolean");
      });

      const conditional = (name: string, body: () => Promise<void>) =>
        it(name, async (context) => {
          context.skip(!store().capabilities.conditionalWrites, "no conditional writes");
          await body();
        });

      conditional("creates with ifNoneMatch when the key is free", async () => {
        const written = await store().put("cond/new", "first", { ifNoneMatch: "*" });
        await expectObject("cond/new", new TextEncoder().encode("first"), written.etag);
      });

      conditional("refuses ifNoneMatch over an existing object and keeps it", async () => {
        const written = await store().put("cond/taken", "original");
        await expect(
          store().put("cond/taken", "intruder", { ifNoneMatch: "*" }),
        ).rejects.toBeInstanceOf(PreconditionFailedError);
        await expectObject("cond/taken", new TextEncoder().encode("original"), written.etag);
      });

      conditional("refuses ifMatch with a stale etag and keeps the object", async () => {
        const stale = await store().put("cond/lease", "holder one");
        const fresh = await store().put("cond/lease", "holder two");
        await expect(
          store().put("cond/lease", "holder three", { ifMatch: stale.etag }),
        ).rejects.toBeInstanceOf(PreconditionFailedError);
        await expectObject("cond/lease", new TextEncoder().encode("holder two"), fresh.etag);
      });

      conditional("replaces with ifMatch when the etag is current", async () => {
        const first = await store().put("cond/swap", "before");
        const second = await store().put("cond/swap", "after", { ifMatch: first.etag });
        expect(second.etag).not.toBe(first.etag);
        await expectObject("cond/swap", new TextEncoder().encode("after"), second.etag);
      });

      conditional("refuses ifMatch when there is no object", async () => {
        await expect(
          store().put("cond/absent", "x", { ifMatch: "0123456789abcdef" }),
        ).rejects.toBeInstanceOf(PreconditionFailedError);
        expect(await store().head("cond/absent")).toBeNull();
      });

      conditional("lets exactly one of many racing ifNoneMatch puts win", async () => {
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, index) =>
            store().put("cond/race", `writer ${index}`, { ifNoneMatch: "*" }),
          ),
        );
        const winners = results.flatMap((result, index) =>
          result.status === "fulfilled" ? [index] : [],
        );
        expect(winners).toHaveLength(1);
        for (const result of results) {
          if (result.status === "rejected") {
            expect(result.reason).toBeInstanceOf(PreconditionFailedError);
          }
        }
        const object = await store().get("cond/race");
        expect(await readText((object as { body: ReadableStream<Uint8Array> }).body)).toBe(
          `writer ${winners[0]}`,
        );
      });

      conditional("lets exactly one of many racing ifMatch puts on one etag win", async () => {
        const base = await store().put("cond/counter", "0");
        const results = await Promise.allSettled(
          Array.from({ length: 8 }, (_, index) =>
            store().put("cond/counter", `taken by ${index}`, { ifMatch: base.etag }),
          ),
        );
        expect(results.filter((result) => result.status === "fulfilled")).toHaveLength(1);
        for (const result of results) {
          if (result.status === "rejected") {
            expect(result.reason).toBeInstanceOf(PreconditionFailedError);
          }
        }
      });
    });

    group("atomic-replace", () => {
      const OLD_SIZE = 4 * MiB;
      const NEW_SIZE = 5 * MiB + 123;

      it("lets a reader that started before a replace finish with the old bytes or the new, whole", async () => {
        const old = patternBytes(OLD_SIZE, 10);
        const next = patternBytes(NEW_SIZE, 11);
        const hashes = new Set([await sha256Hex(old), await sha256Hex(next)]);
        await store().put("atomic/big", old);
        const object = await store().get("atomic/big");
        const reader = (object as { body: ReadableStream<Uint8Array> }).body.getReader();
        const first = await reader.read();
        expect(first.done).toBe(false);
        await store().put("atomic/big", next);
        const chunks = [first.value as Uint8Array];
        for (let read = await reader.read(); !read.done; read = await reader.read()) {
          chunks.push(read.value);
        }
        const bytes = await readBytes(streamOf(chunks));
        expect(hashes.has(await sha256Hex(bytes))).toBe(true);
        expect(bytes.byteLength).toBe(object?.size);
      });

      it("never shows a mix to readers racing a replace", async () => {
        const old = patternBytes(OLD_SIZE, 12);
        const next = patternBytes(NEW_SIZE, 13);
        const expected = new Map([
          [await sha256Hex(old), OLD_SIZE],
          [await sha256Hex(next), NEW_SIZE],
        ]);
        await store().put("atomic/raced", old);
        const reads = Array.from({ length: 6 }, async () => {
          const object = await store().get("atomic/raced");
          const bytes = await readBytes((object as { body: ReadableStream<Uint8Array> }).body);
          return { size: object?.size, bytes: bytes.byteLength, sha256: await sha256Hex(bytes) };
        });
        const [, ...results] = await Promise.all([
          store().put("atomic/raced", streamOf([next.subarray(0, MiB), next.subarray(MiB)])),
          ...reads,
        ]);
        for (const result of results) {
          expect(expected.get(result.sha256)).toBe(result.bytes);
          expect(result.size).toBe(result.bytes);
        }
      });

      it("shows nothing of a put until its body has been read to the end", async () => {
        const old = await store().put("atomic/slow", "old bytes");
        const gated = gatedStream([patternBytes(MiB, 14), patternBytes(MiB, 15)], 1);
        const putting = store().put("atomic/slow", gated.stream);
        await gated.reached;
        expectInfo(await store().head("atomic/slow"), { size: 9, etag: old.etag });
        await expectObject("atomic/slow", new TextEncoder().encode("old bytes"), old.etag);
        expect(await store().head("atomic/fresh")).toBeNull();
        gated.open();
        const written = await putting;
        expect(written.size).toBe(2 * MiB);
        expectInfo(await store().head("atomic/slow"), { size: 2 * MiB, etag: written.etag });
      });
    });

    group("integrity", () => {
      const bytes = patternBytes(100_000, 20);

      it("accepts a body whose size and sha256 are as announced", async () => {
        const sha256 = await sha256Hex(bytes);
        const written = await store().put("int/ok", streamOf([bytes]), {
          size: bytes.byteLength,
          sha256,
        });
        expect(written.sha256).toBe(sha256);
        expect((await store().head("int/ok"))?.sha256).toBe(sha256);
      });

      it("accepts an announced sha256 in upper case", async () => {
        const sha256 = await sha256Hex(bytes);
        const written = await store().put("int/upper", bytes, { sha256: sha256.toUpperCase() });
        expect(written.sha256).toBe(sha256);
      });

      it("refuses a wrong sha256 and writes nothing", async () => {
        const wrong = await sha256Hex("something else");
        await expect(store().put("int/new", bytes, { sha256: wrong })).rejects.toBeInstanceOf(
          IntegrityError,
        );
        expect(await store().head("int/new")).toBeNull();
        await expect(
          store().put("int/new", streamOf([bytes]), { sha256: wrong, size: bytes.byteLength }),
        ).rejects.toBeInstanceOf(IntegrityError);
        expect(await store().head("int/new")).toBeNull();
        expect(await collect(store().list("int/"))).toEqual([]);
      });

      it("refuses a wrong sha256 or size over an existing object and keeps it", async () => {
        const previous = await store().put("int/kept", "previous");
        const attempts: PutOptions[] = [
          { sha256: await sha256Hex("nope") },
          { size: bytes.byteLength - 1 },
          { size: bytes.byteLength + 1 },
          { size: bytes.byteLength, sha256: await sha256Hex("nope") },
        ];
        for (const putOptions of attempts) {
          await expect(
            store().put(
              "int/kept",
              streamOf([bytes.subarray(0, 50_000), bytes.subarray(50_000)]),
              putOptions,
            ),
          ).rejects.toBeInstanceOf(IntegrityError);
          await expectObject("int/kept", new TextEncoder().encode("previous"), previous.etag);
        }
      });

      it("refuses a body shorter or longer than its size and writes nothing", async () => {
        await expect(store().put("int/short", "abc", { size: 4 })).rejects.toBeInstanceOf(
          IntegrityError,
        );
        await expect(
          store().put("int/long", streamOf([bytes, bytes]), { size: bytes.byteLength }),
        ).rejects.toBeInstanceOf(IntegrityError);
        expect(await store().head("int/short")).toBeNull();
        expect(await store().head("int/long")).toBeNull();
      });

      it("fails a put whose body stream fails, and keeps what was there", async () => {
        const previous = await store().put("int/broken", "previous");
        const failure = await store()
          .put("int/broken", failingStream([bytes], new Error("upstream reset")))
          .then(
            () => undefined,
            (error: unknown) => error,
          );
        expect(failure).toBeInstanceOf(StoreError);
        expect(failure).not.toBeInstanceOf(IntegrityError);
        await expectObject("int/broken", new TextEncoder().encode("previous"), previous.etag);
        await expect(
          store().put("int/never", failingStream([bytes], new Error("upstream reset"))),
        ).rejects.toBeInstanceOf(StoreError);
        expect(await store().head("int/never")).toBeNull();
      });
    });

    group("delete", () => {
      it("deletes a batch and ignores the keys that do not exist", async () => {
        await store().put("del/a", "a");
        await store().put("del/b", "b");
        await store().put("del/keep", "keep");
        await store().delete(["del/a", "del/missing", "del/b", "del/a"]);
        expect(await store().head("del/a")).toBeNull();
        expect(await store().get("del/b")).toBeNull();
        expect(keysOf(await collect(store().list("del/")))).toEqual(["del/keep"]);
      });

      it("accepts an empty batch", async () => {
        await store().put("del/still", "here");
        await store().delete([]);
        expect(await store().head("del/still")).not.toBeNull();
      });

      it("leaves the objects below a key that is only a folder", async () => {
        await store().put("del/folder/inner", "inner");
        await store().delete(["del/folder"]);
        expect(await store().head("del/folder/inner")).not.toBeNull();
      });

      it("lets a deleted key be written again", async () => {
        await store().put("del/deep/er/key", "one");
        await store().delete(["del/deep/er/key"]);
        expect(await collect(store().list("del/"))).toEqual([]);
        await store().put("del/deep/er/key", "two");
        await expectObject("del/deep/er/key", new TextEncoder().encode("two"));
      });
    });

    group("keys", () => {
      it("refuses invalid keys on get, head, put and delete", async () => {
        for (const key of INVALID_KEYS) {
          await expect(store().get(key), key).rejects.toBeInstanceOf(InvalidKeyError);
          await expect(store().head(key), key).rejects.toBeInstanceOf(InvalidKeyError);
          await expect(store().put(key, "x"), key).rejects.toBeInstanceOf(InvalidKeyError);
          await expect(store().delete(["fine", key]), key).rejects.toBeInstanceOf(InvalidKeyError);
        }
        expect(await collect(store().list(""))).toEqual([]);
      });

      it("stores internal keys under .streamgate/", async () => {
        const key = ".streamgate/state/agents.json";
        const written = await store().put(key, '{"generation":1}');
        await expectObject(key, new TextEncoder().encode('{"generation":1}'), written.etag);
        expectInfo(await store().head(key), { key, size: 16 });
        await store().delete([key]);
        expect(await store().head(key)).toBeNull();
      });

      it("stores keys with spaces, non-ASCII and up to 1,024 bytes", async () => {
        const long = `${"s".repeat(200)}/`.repeat(5).padEnd(1024, "t");
        expect(new TextEncoder().encode(long).byteLength).toBe(1024);
        for (const key of ["keys/with space", "keys/ünïcödé/ファイル", long]) {
          await store().put(key, key);
          await expectObject(key, new TextEncoder().encode(key));
        }
        await expect(store().put(`${long}t`, "x")).rejects.toBeInstanceOf(InvalidKeyError);
      });
    });

    const large = options.largeObjects;
    if (large !== undefined)
      describe("large objects", () => {
        const size = large.bytes ?? 128 * MiB;
        const maxGrowth = large.maxRssGrowth ?? 100_000_000;

        it(`streams ${Math.round(size / MiB)} MiB through put and get without holding it`, async () => {
          const measure = large.measureRss;
          const baseline = measure?.() ?? 0;
          let peak = baseline;
          const sample = () => {
            if (measure !== undefined) peak = Math.max(peak, measure());
          };
          const generated = createHashTap(sample);
          const written = await store().put(
            "large/object.bin",
            patternStream(size, 30, generated.update),
            {
              size,
            },
          );
          const sha256 = generated.digestHex();
          expect(written.size).toBe(size);
          expect(written.sha256).toBe(sha256);

          const object = await store().get("large/object.bin");
          expect(object?.sha256).toBe(sha256);
          const read = await hashStream(
            (object as { body: ReadableStream<Uint8Array> }).body,
            sample,
          );
          expect(read).toEqual({ size, sha256 });

          const tail = await store().get("large/object.bin", { range: { offset: size - 5000 } });
          const tailBytes = await readBytes((tail as { body: ReadableStream<Uint8Array> }).body);
          expect(tailBytes).toEqual(patternRange(30, size - 5000, 5000));
          if (measure !== undefined) expect(peak - baseline).toBeLessThan(maxGrowth);
        }, 300_000);
      });

    options.extraTests?.(store);
  });
}

/** An incremental sha256 that also calls `onChunk`, for `patternStream`'s tap. */
function createHashTap(onChunk: () => void) {
  const hash = createSha256();
  return {
    update(chunk: Uint8Array) {
      hash.update(chunk);
      onChunk();
    },
    digestHex: () => hash.digestHex(),
  };
}
