import { execFile } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import {
  publishAgentMetadata,
  putAgent,
  snapshotStore,
  temporaryDirectory,
} from "../../src/bundle/test-support.ts";
import { generateTestKey } from "../../src/signing/test-support.ts";
import { createFsStore } from "../../src/store/fs.ts";

const run = promisify(execFile);
const MiB = 1024 * 1024;
const TARBALL_BYTES = 200 * MiB;

interface RoundTrip {
  bundleBytes: number;
  exportedObjects: number;
  importedObjects: number;
  importedBytes: number;
  baselineRss: number;
  peakRss: number;
  maxRss: number;
}

async function runChild(args: readonly string[]): Promise<RoundTrip> {
  const child = join(import.meta.dirname, "rss-round-trip.ts");
  const { stdout } = await run(process.execPath, [child, ...args], { maxBuffer: 1024 * 1024 });
  return JSON.parse(stdout) as RoundTrip;
}

describe("bundle memory", () => {
  it("round-trips a 200 MiB tarball with resident memory growing far less than the tarball", async () => {
    const key = await generateTestKey("bundle memory");
    const dir = await temporaryDirectory("memory");
    const online = createFsStore({ root: join(dir, "online") });
    const agent = await putAgent(online, "3.6.1", "amd64", TARBALL_BYTES);
    await publishAgentMetadata(online, [agent]);
    const privateKeyFile = join(dir, "key.asc");
    const publicKeyFile = join(dir, "key.pub.asc");
    await writeFile(privateKeyFile, key.privateKey);
    await writeFile(publicKeyFile, key.publicKey);

    const result = await runChild([
      join(dir, "online"),
      join(dir, "offline"),
      join(dir, "mirror.tar"),
      privateKeyFile,
      publicKeyFile,
    ]);

    expect(result.importedBytes).toBeGreaterThan(TARBALL_BYTES);
    expect(result.bundleBytes).toBeGreaterThan(TARBALL_BYTES);
    const growth = Math.max(result.maxRss, result.peakRss) - result.baselineRss;
    expect(growth).toBeLessThan(TARBALL_BYTES / 4);
    const offline = createFsStore({ root: join(dir, "offline") });
    expect((await offline.head(agent.key))?.sha256).toBe(agent.sha256);
    const published = await snapshotStore(offline);
    expect(published.get(agent.key)).toBe(agent.sha256);
    process.stderr.write(
      `bundle round trip of ${TARBALL_BYTES / MiB} MiB: resident memory grew ${(growth / MiB).toFixed(1)} MiB\n`,
    );
  }, 180_000);
});
