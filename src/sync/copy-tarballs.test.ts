import { describe, expect, it } from "vitest";
import { createMemoryStore } from "../store/memory.ts";
import { UpstreamError, type UpstreamObject } from "../upstream/index.ts";
import type { TarballSpec } from "./build-tree.ts";
import { type CopyTarballsResult, copyTarballs } from "./copy-tarballs.ts";
import { SyncRefusal } from "./errors.ts";
import { sha256Hex } from "./sha256.ts";
import { memoryUpstream } from "./test-support.ts";

const encoder = new TextEncoder();

async function fixture(count: number) {
  const files = new Map<string, Uint8Array>();
  const specs: TarballSpec[] = [];
  for (let index = 0; index < count; index++) {
    const path = `agent/3.6.${index}/juju-3.6.${index}-linux-amd64.tgz`;
    const bytes = encoder.encode(`tarball ${index} `.repeat(50 + index));
    files.set(path, bytes);
    specs.push({
      path,
      size: bytes.byteLength,
      sha256: await sha256Hex(bytes),
      items: [`item ${index}`],
    });
  }
  return { files, specs };
}

function refusalOf(result: CopyTarballsResult): SyncRefusal {
  expect(result.failure?.error).toBeInstanceOf(SyncRefusal);
  return result.failure?.error as SyncRefusal;
}

/** A body that delivers `bytes` of the object, then fails like a dropped connection. */
function dying(object: UpstreamObject, bytes: number): UpstreamObject {
  const reader = object.body.getReader();
  let sent = 0;
  return {
    ...object,
    body: new ReadableStream<Uint8Array>({
      async pull(controller) {
        if (sent >= bytes) {
          await reader.cancel();
          controller.error(
            new UpstreamError(`${object.url} failed after ${sent} bytes of the body: ECONNRESET`, {
              url: object.url,
              reason: "network",
            }),
          );
          return;
        }
        const { done, value } = await reader.read();
        if (done) controller.close();
        else {
          const chunk = value.subarray(0, bytes - sent);
          sent += chunk.byteLength;
          controller.enqueue(chunk);
        }
      },
    }),
  };
}

describe("copyTarballs", () => {
  it("streams every tarball into the store under juju/tools/ with its size and sha256", async () => {
    const { files, specs } = await fixture(5);
    const store = createMemoryStore();
    let net = 0;
    const result = await copyTarballs(specs, {
      store,
      upstream: memoryUpstream(files),
      concurrency: 2,
      onBytes: (delta) => {
        net += delta;
      },
    });
    expect(result).toMatchObject({ remaining: [], failure: undefined, aborted: false, retries: 0 });
    expect(result.copied).toHaveLength(5);
    for (const spec of specs) {
      expect((await store.head(`juju/tools/${spec.path}`))?.sha256).toBe(spec.sha256);
    }
    expect(net).toBe(specs.reduce((sum, spec) => sum + spec.size, 0));
  });

  it("starts a tarball over when its body dies mid-way, a bounded number of times", async () => {
    const { files, specs } = await fixture(1);
    let opens = 0;
    const delays: number[] = [];
    const result = await copyTarballs(specs, {
      store: createMemoryStore(),
      upstream: memoryUpstream(files, {
        onOpen: (_path, object) => (++opens <= 2 ? dying(object, 100) : object),
      }),
      concurrency: 1,
      retries: 3,
      retryDelayMs: 10,
      sleep: async (ms) => {
        delays.push(ms);
      },
    });
    expect(result.failure).toBeUndefined();
    expect(result.retries).toBe(2);
    expect(delays).toEqual([10, 20]);
    expect(opens).toBe(3);
  });

  it("gives up after the retries, naming the tarball, with nothing of it stored", async () => {
    const { files, specs } = await fixture(1);
    const store = createMemoryStore();
    const result = await copyTarballs(specs, {
      store,
      upstream: memoryUpstream(files, { onOpen: (_path, object) => dying(object, 10) }),
      concurrency: 1,
      retries: 2,
      sleep: async () => {},
    });
    const { failure } = refusalOf(result);
    expect(failure).toMatchObject({ kind: "upstream", path: specs[0]?.path });
    expect(failure.message).toContain("after 3 attempts");
    expect(await store.head(`juju/tools/${specs[0]?.path}`)).toBeNull();
  });

  it("refuses bytes that contradict the signed sha256 without retrying, and stops the others", async () => {
    const { files, specs } = await fixture(4);
    const [first, ...rest] = specs;
    if (first === undefined) throw new Error("no tarball");
    const lying = { ...first, sha256: "0".repeat(64) };
    let opens = 0;
    const result = await copyTarballs([lying, ...rest], {
      store: createMemoryStore(),
      upstream: memoryUpstream(files, {
        onOpen: (_path, object) => {
          opens++;
          return object;
        },
      }),
      concurrency: 1,
      sleep: async () => {},
    });
    expect(result.failure?.tarball.path).toBe(first.path);
    expect(refusalOf(result).failure).toMatchObject({
      kind: "tarball",
      items: ["item 0"],
    });
    expect(refusalOf(result).message).toContain(`expected sha256 ${"0".repeat(64)}`);
    expect(opens).toBe(1);
    expect(result.remaining).toHaveLength(4);
  });

  it("refuses a tarball whose announced size differs before reading it", async () => {
    const { files, specs } = await fixture(1);
    const spec = specs[0] as TarballSpec;
    const result = await copyTarballs([{ ...spec, size: spec.size + 1 }], {
      store: createMemoryStore(),
      upstream: memoryUpstream(files),
      concurrency: 1,
    });
    expect(refusalOf(result).message).toContain(
      `upstream serves ${spec.size} bytes, but its signed metadata (item 0) says ${spec.size + 1}`,
    );
  });

  it("stops starting copies when the signal aborts and leaves them for the next run", async () => {
    const { files, specs } = await fixture(6);
    const controller = new AbortController();
    const result = await copyTarballs(specs, {
      store: createMemoryStore(),
      upstream: memoryUpstream(files),
      concurrency: 1,
      signal: controller.signal,
      onCopied: (tarball) => {
        if (tarball.path === specs[1]?.path) controller.abort(new Error("budget"));
      },
    });
    expect(result.aborted).toBe(true);
    expect(result.failure).toBeUndefined();
    expect(result.copied.map((tarball) => tarball.path)).toEqual([specs[0]?.path, specs[1]?.path]);
    expect(result.remaining).toHaveLength(4);
  });
});
