/**
 * `streamgate verify` (the real bin) against a mirror built by the real syncs, served by
 * the real app — first as published, then with one fault seeded at a time, through the
 * store or at the HTTP level — and against the same trees as directories. Each fault must
 * make verify exit 1 with a problem naming the faulty file.
 */
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseIndex, renderJson } from "../../src/core/index.ts";
import { clearsign, parseClearsigned } from "../../src/signing/index.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
import type { VerifyProblem, VerifyReport } from "../../src/verify/index.ts";
import {
  buildSyncedMirror,
  cli,
  copyStore,
  type FaultHandler,
  IMAGES,
  KEYSTONE,
  readText,
  type Served,
  type SyncedMirror,
  sendResponse,
  serveWithFaults,
} from "./support.ts";

let mirror: SyncedMirror;
const servers: Served[] = [];

beforeAll(async () => {
  mirror = await buildSyncedMirror();
});

afterAll(async () => {
  await Promise.all(servers.map((server) => server.close()));
  await mirror?.cleanup();
});

interface Verified {
  code: number | null;
  report: VerifyReport;
  stderr: string;
}

async function verify(target: string, ...args: string[]): Promise<Verified> {
  const result = await cli(
    ["verify", target, "--image-key", mirror.imagePublicKeyFile, "--json", ...args],
    mirror.dir,
  );
  if (result.stdout === "")
    throw new Error(`verify printed no report (${result.code}): ${result.stderr}`);
  return {
    code: result.code,
    report: JSON.parse(result.stdout) as VerifyReport,
    stderr: result.stderr,
  };
}

async function serve(store: ObjectStore, fault?: (path: string) => FaultHandler | undefined) {
  const served = await serveWithFaults(store, fault);
  servers.push(served);
  return served.origin;
}

/** A copy of the mirror with one fault seeded through the store, served by the app. */
async function faulty(name: string, seed: (store: ObjectStore) => Promise<void>) {
  const copy = await copyStore(mirror, name);
  await seed(copy.store);
  return { ...copy, origin: await serve(copy.store) };
}

function problemAbout(report: VerifyReport, file: string): VerifyProblem {
  const found = report.problems.find((problem) => problem.file === file);
  if (found === undefined) {
    throw new Error(
      `no problem about ${file}; problems: ${JSON.stringify(report.problems, null, 1)}`,
    );
  }
  return found;
}

async function put(store: ObjectStore, key: string, text: string | Uint8Array): Promise<void> {
  await store.put(key, typeof text === "string" ? new TextEncoder().encode(text) : text);
}

/** The path of the released agents product file the unsigned index names. */
async function releasedProductPath(store: ObjectStore): Promise<string> {
  const index = parseIndex(JSON.parse(await readText(store, "juju/tools/streams/v1/index2.json")));
  const entry = index.index["com.ubuntu.juju:released:agents"];
  if (entry === undefined) throw new Error("no released agents entry");
  return entry.path;
}

const TARBALL = "agent/3.6.12/juju-3.6.12-linux-amd64.tgz";

describe("streamgate verify on the mirror as published", () => {
  it("exits 0 over HTTP, reporting what Juju picks for each series, arch and region", async () => {
    const origin = await serve(await copyStore(mirror, "clean").then((copy) => copy.store));
    const { code, report, stderr } = await verify(origin);
    expect(report.problems).toEqual([]);
    expect(code).toBe(0);
    const agentPicks = report.agents?.lookups.map(
      (pick) => `${pick.jujuVersion} ${pick.arch} → ${pick.version}`,
    );
    expect(agentPicks).toEqual([
      "3.5 amd64 → 3.5.5",
      "3.5 arm64 → 3.5.5",
      "3.6 amd64 → 3.6.12",
      "3.6 arm64 → 3.6.12",
    ]);
    expect(report.agents?.tarballs).toMatchObject({ checked: 6, failed: 0 });
    const imagePicks = report.images?.lookups.map(
      (pick) => `${pick.region} ${pick.base} ${pick.arch} → ${pick.id}`,
    );
    expect(imagePicks).toEqual([
      `RegionOne ubuntu@22.04 arm64 → ${IMAGES.RegionOne[1].id}`,
      `RegionOne ubuntu@24.04 amd64 → ${IMAGES.RegionOne[0].id}`,
      `RegionTwo ubuntu@24.04 amd64 → ${IMAGES.RegionTwo[0].id}`,
    ]);
    expect(report.images?.lookups.every((pick) => pick.index === "streams/v1/index.sjson")).toBe(
      true,
    );
    expect(stderr).toContain("OK: Juju can use this mirror as checked.");
  });

  it("exits 0 on the store directory, and for one client, cloud and base", async () => {
    const { code, report } = await verify(
      mirror.storeRoot,
      "--juju-version",
      "3.6.9",
      "--arch",
      "arm64",
      "--region",
      "RegionOne",
      "--endpoint",
      KEYSTONE,
      "--base",
      "ubuntu@22.04",
    );
    expect(report.problems).toEqual([]);
    expect(code).toBe(0);
    expect(report.agents?.baseUrl).toMatch(/^file:\/\/.*\/store\/juju\/tools$/);
    expect(report.agents?.lookups).toEqual([
      expect.objectContaining({
        jujuVersion: "3.6.9",
        arch: "arm64",
        version: "3.6.12",
        tarballOk: true,
      }),
    ]);
    expect(report.images?.lookups).toEqual([
      expect.objectContaining({
        region: "RegionOne",
        base: "ubuntu@22.04",
        id: IMAGES.RegionOne[1].id,
      }),
    ]);
  });
});

describe("streamgate verify finds each seeded fault, naming the file", () => {
  it("a tarball that is missing", async () => {
    const { origin } = await faulty("missing-tarball", (store) =>
      store.delete([`juju/tools/${TARBALL}`]),
    );
    const { code, report } = await verify(origin);
    expect(code).toBe(1);
    const problem = problemAbout(report, TARBALL);
    expect(problem.url).toBe(`${origin}/juju/tools/${TARBALL}`);
    expect(problem.message).toMatch(
      /^tarball .* answered HTTP 404; named by streams\/v1\/com\.ubuntu\.juju-released-agents-[0-9a-f]+\.json$/,
    );
  });

  it("a tarball whose sha256 differs from its item", async () => {
    const { origin } = await faulty("wrong-sha", (store) =>
      put(store, `juju/tools/${TARBALL}`, "not the agent"),
    );
    const { code, report } = await verify(origin);
    expect(code).toBe(1);
    expect(problemAbout(report, TARBALL).message).toMatch(
      /has 13 bytes, sha256 [0-9a-f]{64}; its item claims \d+ bytes, sha256 [0-9a-f]{64}/,
    );
  });

  it("a signed index that names .json product files", async () => {
    const { origin } = await faulty("signed-json", async (store) => {
      const text = await readText(store, "juju/tools/streams/v1/index2.json");
      await put(
        store,
        "juju/tools/streams/v1/index2.sjson",
        await clearsign(text, mirror.fixture.privateKey),
      );
    });
    const { code, report } = await verify(origin, "--agent-key", mirror.upstreamKeyFile);
    expect(code).toBe(1);
    const problem = problemAbout(report, "streams/v1/index2.sjson");
    expect(problem.message).toMatch(
      /^is signed but names the unsigned product file streams\/v1\/com\.ubuntu\.juju-released-agents-[0-9a-f]+\.json for com\.ubuntu\.juju:released:agents$/,
    );
    expect(problem.juju).toContain("falls back to the unsigned index");
    // Juju still finds its agents, through index2.json.
    expect(report.agents?.lookups.every((pick) => pick.index === "streams/v1/index2.json")).toBe(
      true,
    );
  });

  it("a signed product file naming a tarball that is absent", async () => {
    const absent = "agent/3.6.14/juju-3.6.14-linux-amd64.tgz";
    let signedProduct = "";
    const { origin } = await faulty("signed-absent", async (store) => {
      const productPath = await releasedProductPath(store);
      signedProduct = productPath.replace(/\.json$/, ".sjson");
      const products = JSON.parse(await readText(store, `juju/tools/${productPath}`));
      const product = products.products["com.ubuntu.juju:ubuntu:amd64"];
      const [versionKey] = Object.keys(product.versions);
      product.versions[versionKey as string].items["3.6.14-ubuntu-amd64"] = {
        release: "ubuntu",
        version: "3.6.14",
        arch: "amd64",
        size: 1234,
        path: absent,
        ftype: "tar.gz",
        sha256: "a".repeat(64),
      };
      await put(
        store,
        `juju/tools/${signedProduct}`,
        await clearsign(renderJson(products), mirror.fixture.privateKey),
      );
      const index = await readText(store, "juju/tools/streams/v1/index2.json");
      await put(
        store,
        "juju/tools/streams/v1/index2.sjson",
        await clearsign(index.replaceAll(productPath, signedProduct), mirror.fixture.privateKey),
      );
    });
    const { code, report } = await verify(origin, "--agent-key", mirror.upstreamKeyFile);
    expect(code).toBe(1);
    expect(problemAbout(report, absent).message).toBe(
      `tarball ${absent} answered HTTP 404; named by ${signedProduct}`,
    );
    // A 3.6 client on amd64 is offered exactly that tarball.
    expect(report.agents?.lookups).toContainEqual(
      expect.objectContaining({
        jujuVersion: "3.6",
        arch: "amd64",
        version: "3.6.14",
        tarballOk: false,
      }),
    );
  });

  it("a mirrors.json that answers 403", async () => {
    const copy = await copyStore(mirror, "mirrors-403");
    const origin = await serve(copy.store, (path) =>
      path === "juju/tools/streams/v1/mirrors.json"
        ? async (_request, response) => {
            response.writeHead(403, { "content-type": "text/plain" }).end("Forbidden\n");
          }
        : undefined,
    );
    const { code, report } = await verify(origin);
    expect(code).toBe(1);
    const problem = problemAbout(report, "streams/v1/mirrors.json");
    expect(problem).toMatchObject({ area: "agents", message: "answered HTTP 403 Forbidden" });
    expect(problem.juju).toContain("cannot load mirror metadata at URL");
    expect(report.agents?.lookups.every((pick) => pick.outcome === "broken")).toBe(true);
  });

  it("a version string Juju cannot parse", async () => {
    let productPath = "";
    const { origin } = await faulty("bad-version", async (store) => {
      productPath = await releasedProductPath(store);
      const text = await readText(store, `juju/tools/${productPath}`);
      await put(
        store,
        `juju/tools/${productPath}`,
        text.replace('"version": "3.5.4"', '"version": "3.5.4-ubuntu"'),
      );
    });
    const { code, report } = await verify(origin);
    expect(code).toBe(1);
    const problem = problemAbout(report, productPath);
    expect(problem.message).toMatch(/has version "3\.5\.4-ubuntu", which Juju cannot parse$/);
    expect(problem.juju).toContain("panics");
  });

  it("an image item without arch after inheritance", async () => {
    const productPath = "streams/v1/com.ubuntu.cloud-released-imagemetadata.json";
    const { origin } = await faulty("no-arch", async (store) => {
      const products = JSON.parse(await readText(store, `images/${productPath}`));
      const strip = (record: Record<string, unknown>) => {
        delete record.arch;
      };
      const product = products.products["com.ubuntu.cloud:server:22.04:arm64"];
      strip(product);
      for (const version of Object.values(product.versions) as Record<string, unknown>[]) {
        strip(version);
        for (const item of Object.values(version.items as Record<string, Record<string, unknown>>))
          strip(item);
      }
      await put(store, `images/${productPath}`, renderJson(products));
    });
    const { code, report } = await verify(origin);
    expect(code).toBe(1);
    expect(problemAbout(report, productPath)).toMatchObject({
      area: "images",
      message: expect.stringMatching(
        /^item products\["com\.ubuntu\.cloud:server:22\.04:arm64"\].* has no arch after inheritance/,
      ),
    });
  });

  it("an HTML page with status 200 for every missing file", async () => {
    const copy = await copyStore(mirror, "soft-404");
    const origin = await serve(copy.store, () => async (_request, response, app) => {
      const answer = await app();
      if (answer.status !== 404) return sendResponse(response, answer);
      response
        .writeHead(200, { "content-type": "text/html" })
        .end("<!DOCTYPE html><h1>Nothing here</h1>");
    });
    const { code, report } = await verify(origin);
    expect(code).toBe(1);
    for (const file of ["streams/v1/index2.sjson", "streams/v1/mirrors.json"]) {
      expect(problemAbout(report, file).message).toContain('HTML page (text/html) — a "soft 404"');
    }
  });

  it("a tarball sent gzip-encoded, and one served by redirect", async () => {
    const gzipped = "agent/3.5.5/juju-3.5.5-linux-arm64.tgz";
    const copy = await copyStore(mirror, "http-tarballs");
    const origin = await serve(copy.store, (path) => {
      if (path === `juju/tools/${gzipped}`) {
        return async (_request, response, app) => {
          const bytes = new Uint8Array(await (await app()).arrayBuffer());
          response.writeHead(200, { "content-encoding": "gzip" }).end(gzipSync(bytes));
        };
      }
      if (path === `juju/tools/${TARBALL}`) {
        return async (_request, response) => {
          response.writeHead(302, { location: `/juju/tools/${TARBALL}?moved` }).end();
        };
      }
      return undefined;
    });
    const { code, report } = await verify(origin);
    expect(code).toBe(1);
    expect(problemAbout(report, gzipped).message).toContain("is sent with Content-Encoding: gzip");
    expect(problemAbout(report, TARBALL).message).toContain(
      `a redirect to /juju/tools/${TARBALL}?moved`,
    );
  });

  it("a missing tarball in a directory", async () => {
    const copy = await copyStore(mirror, "directory");
    await copy.store.delete([`juju/tools/${TARBALL}`]);
    const { code, report, stderr } = await verify(copy.root);
    expect(code).toBe(1);
    expect(problemAbout(report, TARBALL).url).toMatch(
      /^file:\/\/.*\/copy-directory\/juju\/tools\/agent\//,
    );
    expect(stderr).toContain(
      "streamgate: verify found 1 problem; Juju would fail on or ignore part of this mirror",
    );
  });
});

describe("streamgate verify reads signed files with the key Juju would use", () => {
  it("reports unverifiable image signatures without --image-key, and uses the .json twins", async () => {
    const copy = await copyStore(mirror, "no-image-key");
    const result = await cli(["verify", copy.root, "--json"], mirror.dir);
    const report = JSON.parse(result.stdout) as VerifyReport;
    expect(result.code).toBe(0);
    expect(report.notes.map((note) => note.file)).toContain("streams/v1/index.sjson");
    expect(report.images?.lookups.every((pick) => pick.index === "streams/v1/index.json")).toBe(
      true,
    );
  });

  it("fails image metadata signed with another key", async () => {
    const copy = await copyStore(mirror, "other-key");
    const signed = await readText(copy.store, "images/streams/v1/index.sjson");
    await put(
      copy.store,
      "images/streams/v1/index.sjson",
      await clearsign(parseClearsigned(signed).text, mirror.fixture.privateKey),
    );
    const { code, report } = await verify(copy.root);
    expect(code).toBe(1);
    expect(problemAbout(report, "streams/v1/index.sjson").message).toMatch(
      /^does not verify with --image-key .*: signed by unknown key/,
    );
  });
});
