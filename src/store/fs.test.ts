import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll } from "vitest";
import { createFsStore } from "./fs.ts";
import { runStoreContract } from "./store-contract.ts";

let base = "";
let count = 0;

beforeAll(async () => {
  base = await mkdtemp(join(tmpdir(), "streamgate-fs-contract-"));
});

afterAll(async () => {
  await rm(base, { recursive: true, force: true });
});

runStoreContract({
  name: "fs",
  createStore: () => createFsStore({ root: join(base, `store-${++count}`) }),
  largeObjects: { measureRss: () => process.memoryUsage().rss },
});
