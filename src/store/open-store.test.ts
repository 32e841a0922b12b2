import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { InvalidStoreUrlError } from "./errors.ts";
import { openStore } from "./open-store.ts";

describe("openStore", () => {
  let cwd = "";

  beforeEach(async () => {
    cwd = await mkdtemp(join(tmpdir(), "streamgate-open-store-"));
  });

  afterEach(async () => {
    vi.unstubAllEnvs();
    await rm(cwd, { recursive: true, force: true });
  });

  it("opens a file: URL as an fs store rooted relative to cwd", async () => {
    const store = await openStore("file:./data", { cwd });
    expect(store.name).toBe("fs");
    await store.put("juju/tools/x.txt", "x");
    expect(await readFile(join(cwd, "data", "juju/tools/x.txt"), "utf8")).toBe("x");
  });

  it("opens an absolute path and an already parsed URL", async () => {
    const absolute = await openStore(join(cwd, "abs"));
    await absolute.put("a", "1");
    const parsed = await openStore({ kind: "file", path: "rel" }, { cwd });
    await parsed.put("b", "2");
    expect(await readFile(join(cwd, "abs", "a"), "utf8")).toBe("1");
    expect(await readFile(join(cwd, "rel", "b"), "utf8")).toBe("2");
  });

  it("opens an s3: URL with the S3 adapter, which probes its endpoint", async () => {
    vi.stubEnv("AWS_ACCESS_KEY_ID", "key");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "secret");
    // Port 9 (discard) on loopback: nothing listens, so the probe's first call is refused.
    await expect(
      openStore("s3://mirror/tree?endpoint=http://127.0.0.1:9&forcePathStyle=true", { cwd }),
    ).rejects.toThrow(
      /\[s3\] PutObject \(conditional-write probe\) failed for "tree\/\.streamgate\/probe\/.*ECONNREFUSED/,
    );
  });

  it("refuses a URL it cannot read", async () => {
    await expect(openStore("http://example.com", { cwd })).rejects.toBeInstanceOf(
      InvalidStoreUrlError,
    );
  });
});
