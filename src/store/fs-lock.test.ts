import { spawn } from "node:child_process";
import { mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from "node:fs/promises";
import { hostname, tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { setTimeout as sleep } from "node:timers/promises";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFsStore } from "./fs.ts";
import { buildFsLayout } from "./fs-layout.ts";

const fsModule = new URL("./fs.ts", import.meta.url).href;

/**
 * A separate Node process with its own fs store on `root`. It says `ready` once loaded,
 * waits for a line on stdin so that all children start together, does its work, and
 * prints one JSON line.
 */
const CHILD = `
import { createInterface } from "node:readline";
import { createFsStore } from ${JSON.stringify(fsModule)};
const { root, mode, id, keys, increments } = JSON.parse(process.argv[1]);
const store = createFsStore({ root });
const lines = createInterface({ input: process.stdin })[Symbol.asyncIterator]();
console.log("ready");
await lines.next();
const lost = (error) => error?.name === "PreconditionFailedError";
if (mode === "create") {
  const won = [];
  for (const key of keys) {
    try {
      await store.put(key, "child " + id, { ifNoneMatch: "*" });
      won.push(key);
    } catch (error) {
      if (!lost(error)) throw error;
    }
  }
  console.log(JSON.stringify({ won }));
} else {
  let retries = 0;
  for (let done = 0; done < increments; ) {
    const current = await store.get("counter");
    const value = Number(await new Response(current.body).text());
    try {
      await store.put("counter", String(value + 1), { ifMatch: current.etag });
      done++;
    } catch (error) {
      if (!lost(error)) throw error;
      retries++;
    }
  }
  console.log(JSON.stringify({ retries }));
}
process.exit(0);
`;

interface Child {
  ready: Promise<void>;
  go(): void;
  result: Promise<Record<string, unknown>>;
}

function startChild(config: Record<string, unknown>): Child {
  const child = spawn(
    process.execPath,
    ["--input-type=module", "-e", CHILD, JSON.stringify(config)],
    {
      stdio: ["pipe", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (data: Buffer) => {
    stderr += data.toString();
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const ready = lines.next().then(({ value }) => {
    if (value !== "ready") throw new Error(`child did not start: ${stderr}`);
  });
  const result = new Promise<Record<string, unknown>>((resolve, reject) => {
    child.once("exit", async (code) => {
      if (code !== 0) {
        reject(new Error(`child exited with ${code}: ${stderr}`));
        return;
      }
      const { value } = await lines.next();
      resolve(JSON.parse(String(value)) as Record<string, unknown>);
    });
  });
  return { ready, go: () => child.stdin.write("go\n"), result };
}

async function runChildren(configs: Record<string, unknown>[]): Promise<Record<string, unknown>[]> {
  const children = configs.map(startChild);
  await Promise.all(children.map((child) => child.ready));
  for (const child of children) child.go();
  return Promise.all(children.map((child) => child.result));
}

let root = "";

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), "streamgate-fs-lock-"));
});

afterEach(async () => {
  await rm(root, { recursive: true, force: true });
});

describe("fs store conditional writes across processes", () => {
  it("lets exactly one of several processes create each key with ifNoneMatch", async () => {
    const keys = Array.from({ length: 40 }, (_, index) => `race/k${index}`);
    const results = await runChildren(
      [0, 1, 2, 3].map((id) => ({ root, mode: "create", id, keys })),
    );
    const store = createFsStore({ root });
    for (const key of keys) {
      const winners = results.flatMap((result, id) =>
        (result.won as string[]).includes(key) ? [id] : [],
      );
      expect(winners, key).toHaveLength(1);
      expect(await readFile(join(root, key), "utf8")).toBe(`child ${winners[0]}`);
      expect((await store.head(key))?.sha256).toBeDefined();
    }
  });

  it("loses no update when several processes increment one object with ifMatch", async () => {
    await createFsStore({ root }).put("counter", "0");
    const increments = 15;
    const results = await runChildren(
      [0, 1, 2, 3].map((id) => ({ root, mode: "increment", id, increments })),
    );
    expect(await readFile(join(root, "counter"), "utf8")).toBe(String(4 * increments));
    expect(results).toHaveLength(4);
    expect(await readdir(buildFsLayout(root).locksDir)).toEqual([]);
  }, 120_000);
});

describe("fs store lock files", () => {
  async function plantLock(key: string, holder: { pid: number; hostname: string }) {
    const path = buildFsLayout(root).lockPath(key);
    await mkdir(buildFsLayout(root).locksDir, { recursive: true });
    await writeFile(path, JSON.stringify(holder));
    return path;
  }

  it("breaks a lock left by a process of this host that is gone", async () => {
    const gone = spawn(process.execPath, ["-e", ""]);
    const pid = gone.pid as number;
    await new Promise((resolve) => gone.once("exit", resolve));
    await plantLock("k", { pid, hostname: hostname() });
    const store = createFsStore({ root });
    await store.put("k", "after the crash");
    expect(await readFile(join(root, "k"), "utf8")).toBe("after the crash");
    expect(await readdir(buildFsLayout(root).locksDir)).toEqual([]);
  });

  it("breaks a lock of another host once it is older than the stale age", async () => {
    const path = await plantLock("k", { pid: 1, hostname: "elsewhere.example" });
    const old = new Date(Date.now() - 60_000);
    await utimes(path, old, old);
    const store = createFsStore({ root, lockStaleMs: 30_000 });
    await store.put("k", "taken over");
    expect(await readFile(join(root, "k"), "utf8")).toBe("taken over");
  });

  it("waits for a live lock of another host and writes once it is released", async () => {
    const path = await plantLock("k", { pid: 1, hostname: "elsewhere.example" });
    const store = createFsStore({ root, lockStaleMs: 30_000 });
    let settled = false;
    const writing = store.put("k", "after the holder").finally(() => {
      settled = true;
    });
    await sleep(100);
    expect(settled).toBe(false);
    expect(await store.head("k")).toBeNull();
    await rm(path);
    await writing;
    expect(await readFile(join(root, "k"), "utf8")).toBe("after the holder");
  });
});
