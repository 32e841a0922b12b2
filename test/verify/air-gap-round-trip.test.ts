/**
 * The air-gap walkthrough of the README, with the real bin at every step: sync agents
 * (from the local fixture upstream) and images (static list) online → `bundle export` →
 * `bundle import` into an empty store offline, served by a second server → `streamgate
 * verify` passes there, and every key is byte-identical on both sides. Then the same tree
 * as a `--metadata-source` directory, which verify also passes.
 */
import { createHash } from "node:crypto";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createFsStore } from "../../src/store/fs.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
import type { VerifyReport } from "../../src/verify/index.ts";
import {
  buildSyncedMirror,
  cli,
  IMAGES,
  KEYSTONE,
  type Served,
  type SyncedMirror,
  servedKeys,
  serveWithFaults,
} from "./support.ts";

let mirror: SyncedMirror;
let online: ObjectStore;
let offline: ObjectStore;
let onlineServer: Served;
let offlineServer: Served;
let offlineRoot: string;

function mustSucceed(what: string, result: { code: number | null; stderr: string }) {
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}: ${result.stderr}`);
}

beforeAll(async () => {
  mirror = await buildSyncedMirror();
  online = createFsStore({ root: mirror.storeRoot });
  const bundle = join(mirror.dir, "mirror.tar");
  mustSucceed(
    "bundle export",
    await cli(
      [
        "bundle",
        "export",
        bundle,
        "--store",
        `file:${mirror.storeRoot}`,
        "--key",
        mirror.imagePrivateKeyFile,
      ],
      mirror.dir,
    ),
  );
  offlineRoot = join(mirror.dir, "offline");
  mustSucceed(
    "bundle import",
    await cli(
      [
        "bundle",
        "import",
        bundle,
        "--store",
        `file:${offlineRoot}`,
        "--key",
        mirror.imagePublicKeyFile,
      ],
      mirror.dir,
    ),
  );
  offline = createFsStore({ root: offlineRoot });
  [onlineServer, offlineServer] = await Promise.all([
    serveWithFaults(online),
    serveWithFaults(offline),
  ]);
});

afterAll(async () => {
  await onlineServer?.close();
  await offlineServer?.close();
  await mirror?.cleanup();
});

async function sha256Of(response: Response): Promise<string> {
  return createHash("sha256")
    .update(new Uint8Array(await response.arrayBuffer()))
    .digest("hex");
}

describe("collect → carry → import → verify", () => {
  it("imports every key the online store serves, byte for byte, served the same by both servers", async () => {
    const keys = await servedKeys(online);
    expect(keys.length).toBeGreaterThan(10);
    expect(keys).toContain("juju/tools/streams/v1/index2.json");
    expect(keys).toContain("images/streams/v1/index.sjson");
    expect(await servedKeys(offline)).toEqual(keys);
    for (const key of keys) {
      const [there, here] = await Promise.all([
        fetch(`${onlineServer.origin}/${key}`),
        fetch(`${offlineServer.origin}/${key}`),
      ]);
      expect(here.status, key).toBe(200);
      expect(there.status, key).toBe(200);
      expect(await sha256Of(here), key).toBe(await sha256Of(there));
    }
  });

  it("passes streamgate verify against the offline server, finding every agent and image", async () => {
    const result = await cli(
      ["verify", offlineServer.origin, "--image-key", mirror.imagePublicKeyFile, "--json"],
      mirror.dir,
    );
    const report = JSON.parse(result.stdout) as VerifyReport;
    expect(report.problems).toEqual([]);
    expect(result.code).toBe(0);
    expect(report.agents?.tarballs).toMatchObject({ checked: 6, failed: 0 });
    expect(
      report.agents?.lookups.map((pick) => `${pick.jujuVersion} ${pick.arch} ${pick.version}`),
    ).toEqual(["3.5 amd64 3.5.5", "3.5 arm64 3.5.5", "3.6 amd64 3.6.12", "3.6 arm64 3.6.12"]);
    expect(report.images?.lookups.map((pick) => pick.id).sort()).toEqual(
      [...IMAGES.RegionOne, ...IMAGES.RegionTwo].map((image) => image.id).sort(),
    );
  });

  it("passes streamgate verify on the offline store as a --metadata-source directory, as bootstrap would read it", async () => {
    const dir = join(mirror.dir, "metadata-source");
    mustSucceed(
      "bundle export --metadata-source",
      await cli(
        ["bundle", "export", "--metadata-source", dir, "--store", `file:${offlineRoot}`],
        mirror.dir,
      ),
    );
    const result = await cli(
      [
        "verify",
        dir,
        "--image-key",
        mirror.imagePublicKeyFile,
        "--juju-version",
        "3.6.0",
        "--region",
        "RegionTwo",
        "--endpoint",
        KEYSTONE,
        "--json",
      ],
      mirror.dir,
    );
    const report = JSON.parse(result.stdout) as VerifyReport;
    expect(report.problems).toEqual([]);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("laid out for juju bootstrap --metadata-source");
    expect(report.agents?.baseUrl).toMatch(/\/metadata-source\/tools$/);
    expect(report.agents?.lookups).toEqual([
      expect.objectContaining({ arch: "amd64", version: "3.6.12", tarballOk: true }),
      expect.objectContaining({ arch: "arm64", version: "3.6.12", tarballOk: true }),
    ]);
    expect(report.images?.lookups).toEqual([
      expect.objectContaining({ region: "RegionTwo", id: IMAGES.RegionTwo[0].id }),
    ]);
  });
});
