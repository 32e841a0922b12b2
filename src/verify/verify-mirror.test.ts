import { beforeAll, describe, expect, it } from "vitest";
import type { GeneratedSigningKey } from "../signing/index.ts";
import { generateTestKey } from "../signing/test-support.ts";
import {
  addAgentTree,
  addImageTree,
  agentProductPath,
  agentTarballPath,
  createFakeMirror,
  ENDPOINT,
  type FakeMirror,
  IMAGE_PRODUCT_PATH,
  ORIGIN,
} from "./test-support.ts";
import { type VerifyMirrorOptions, verifyMirror } from "./verify-mirror.ts";

const AGENTS = `${ORIGIN}/juju/tools`;
const IMAGES = `${ORIGIN}/images`;
let agentKey: GeneratedSigningKey;
let imageKey: GeneratedSigningKey;

beforeAll(async () => {
  [agentKey, imageKey] = await Promise.all([
    generateTestKey("agents upstream"),
    generateTestKey("operator"),
  ]);
});

/** Signed and unsigned agents (released 3.6.11/3.6.12, proposed 3.6.13) and signed images. */
async function mirror(): Promise<FakeMirror> {
  const fake = createFakeMirror();
  await addAgentTree(fake, { signingKey: agentKey.privateKey });
  await addImageTree(fake, { signingKey: imageKey.privateKey });
  return fake;
}

function verify(fake: FakeMirror, options: Partial<VerifyMirrorOptions> = {}) {
  return verifyMirror({
    agentsUrl: AGENTS,
    imagesUrl: IMAGES,
    agentKeys: agentKey.publicKey,
    imageKeys: imageKey.publicKey,
    fetch: fake.fetch,
    ...options,
  });
}

function problemsAbout(report: Awaited<ReturnType<typeof verify>>, file: string) {
  return report.problems.filter((problem) => problem.file === file);
}

describe("verifyMirror on a healthy mirror", () => {
  it("finds no problem and reports what Juju picks for every advertised series, arch and region", async () => {
    const report = await verify(await mirror());
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.agents?.tarballs).toEqual({
      named: 6,
      checked: 6,
      failed: 0,
      bytes: expect.any(Number),
      skipped: false,
    });
    const picks = report.agents?.lookups.map((pick) => [
      pick.stream,
      pick.arch,
      pick.outcome,
      pick.version,
      pick.index,
      pick.tarballOk,
    ]);
    expect(picks).toEqual([
      ["proposed", "amd64", "found", "3.6.13", "streams/v1/index2.sjson", true],
      ["proposed", "arm64", "found", "3.6.13", "streams/v1/index2.sjson", true],
      ["released", "amd64", "found", "3.6.12", "streams/v1/index2.sjson", true],
      ["released", "arm64", "found", "3.6.12", "streams/v1/index2.sjson", true],
    ]);
    expect(
      report.images?.lookups.map((pick) => [
        pick.region,
        pick.base,
        pick.arch,
        pick.id,
        pick.index,
      ]),
    ).toEqual([
      ["RegionOne", "ubuntu@22.04", "arm64", "one-jammy-arm", "streams/v1/index.sjson"],
      ["RegionOne", "ubuntu@24.04", "amd64", "one-noble", "streams/v1/index.sjson"],
      ["RegionTwo", "ubuntu@24.04", "amd64", "two-noble", "streams/v1/index.sjson"],
    ]);
    expect(
      report.agents?.indexes.find((index) => index.path === "streams/v1/index2.sjson"),
    ).toMatchObject({
      answer: "ok",
      signer: agentKey.fingerprint,
    });
  });

  it("downloads each tarball once, without following redirects, and none with --no-tarballs", async () => {
    const fake = await mirror();
    await verify(fake);
    const downloads = fake.requested.filter((request) => request.path.endsWith(".tgz"));
    expect(downloads).toHaveLength(6);
    expect(new Set(downloads.map((request) => request.path)).size).toBe(6);
    expect(downloads.every((request) => request.redirect === "manual")).toBe(true);
    const quiet = await mirror();
    const report = await verify(quiet, { checkTarballs: false });
    expect(quiet.requested.some((request) => request.path.endsWith(".tgz"))).toBe(false);
    expect(report.agents?.tarballs).toMatchObject({ named: 6, checked: 0, skipped: true });
    expect(report.ok).toBe(true);
  });

  it("replays only the client, arch, cloud and base asked for", async () => {
    const report = await verify(await mirror(), {
      jujuVersion: "3.6.0",
      arch: "arm64",
      cloud: { region: "RegionOne", endpoint: `${ENDPOINT}/` },
      base: "ubuntu@22.04",
    });
    expect(report.agents?.lookups).toEqual([
      expect.objectContaining({ jujuVersion: "3.6.0", arch: "arm64", version: "3.6.12" }),
    ]);
    expect(report.images?.lookups).toEqual([
      expect.objectContaining({ region: "RegionOne", arch: "arm64", id: "one-jammy-arm" }),
    ]);
  });
});

describe("verifyMirror finds each seeded fault and names its file", () => {
  it("a tarball that is missing", async () => {
    const fake = await mirror();
    fake.files.delete(`juju/tools/${agentTarballPath("3.6.12", "amd64")}`);
    const report = await verify(fake);
    expect(report.ok).toBe(false);
    const [problem] = problemsAbout(report, agentTarballPath("3.6.12", "amd64"));
    expect(problem?.url).toBe(`${AGENTS}/${agentTarballPath("3.6.12", "amd64")}`);
    expect(problem?.message).toMatch(
      /answered HTTP 404; named by .*com\.ubuntu\.juju-released-agents\.sjson/,
    );
    expect(problem?.juju).toContain("download fails");
    expect(
      report.agents?.lookups.find((pick) => pick.tarball === agentTarballPath("3.6.12", "amd64")),
    ).toMatchObject({ tarballOk: false });
  });

  it("a tarball with a wrong sha256", async () => {
    const fake = await mirror();
    const path = agentTarballPath("3.6.11", "arm64");
    fake.files.set(`juju/tools/${path}`, new Response("juju agent 3.6.11 arm65\n"));
    const [problem] = problemsAbout(await verify(fake), path);
    expect(problem?.message).toMatch(/has 24 bytes, sha256 [0-9a-f]{64}; its item claims 24 bytes/);
  });

  it("a signed index that names .json product files", async () => {
    const fake = await mirror();
    fake.files.set(
      "juju/tools/streams/v1/index2.sjson",
      fake.files.get("juju/tools/streams/v1/index2.json") as Response,
    );
    const report = await verify(fake, { agentKeys: undefined });
    expect(problemsAbout(report, "streams/v1/index2.sjson").map((p) => p.message)).toEqual([
      'is not a signed document: no "-----BEGIN PGP SIGNED MESSAGE-----" line: not a cleartext-signed message',
    ]);
    const signedJson = await mirror();
    const text = await (signedJson.files.get("juju/tools/streams/v1/index2.json") as Response)
      .clone()
      .text();
    const { clearsign } = await import("../signing/index.ts");
    signedJson.files.set(
      "juju/tools/streams/v1/index2.sjson",
      new Response(await clearsign(text, agentKey.privateKey)),
    );
    const [problem] = problemsAbout(await verify(signedJson), "streams/v1/index2.sjson");
    expect(problem?.message).toBe(
      `is signed but names the unsigned product file ${agentProductPath("proposed")} for com.ubuntu.juju:proposed:agents`,
    );
    expect(problem?.juju).toContain("no PGP signature embedded in plain text data");
  });

  it("a signed product file naming a tarball that is absent", async () => {
    const fake = await mirror();
    const signed = agentProductPath("released").replace(/\.json$/, ".sjson");
    const { clearsign } = await import("../signing/index.ts");
    const text = await (fake.files.get(`juju/tools/${signed}`) as Response).clone().text();
    const { parseClearsigned } = await import("../signing/index.ts");
    const document = JSON.parse(parseClearsigned(text).text);
    document.products["com.ubuntu.juju:ubuntu:amd64"].versions["20261123"].items.extra = {
      release: "ubuntu",
      version: "3.6.14",
      arch: "amd64",
      size: 10,
      path: "agent/3.6.14/juju-3.6.14-linux-amd64.tgz",
      ftype: "tar.gz",
      sha256: "0".repeat(64),
    };
    fake.files.set(
      `juju/tools/${signed}`,
      new Response(await clearsign(JSON.stringify(document, null, 1), agentKey.privateKey)),
    );
    const report = await verify(fake);
    const [problem] = problemsAbout(report, "agent/3.6.14/juju-3.6.14-linux-amd64.tgz");
    expect(problem?.message).toBe(
      `tarball agent/3.6.14/juju-3.6.14-linux-amd64.tgz answered HTTP 404; named by ${signed}`,
    );
    // Juju picks the newest patch, which is the one that 404s.
    expect(report.agents?.lookups).toContainEqual(
      expect.objectContaining({
        stream: "released",
        arch: "amd64",
        version: "3.6.14",
        tarballOk: false,
      }),
    );
  });

  it("a mirrors.json that answers 403", async () => {
    const fake = await mirror();
    fake.files.set(
      "juju/tools/streams/v1/mirrors.json",
      () => new Response("", { status: 403, statusText: "Forbidden" }),
    );
    const report = await verify(fake);
    const [problem] = problemsAbout(report, "streams/v1/mirrors.json");
    expect(problem).toMatchObject({
      area: "agents",
      url: `${AGENTS}/streams/v1/mirrors.json`,
      message: "answered HTTP 403 Forbidden",
    });
    expect(problem?.juju).toContain("cannot load mirror metadata at URL");
  });

  it("a version string Juju cannot parse", async () => {
    const fake = createFakeMirror();
    await addAgentTree(fake, { streams: { released: ["3.6.12", "3.6.12-ubuntu-amd64"] } });
    const report = await verify(fake, { imagesUrl: undefined });
    const problems = problemsAbout(report, agentProductPath("released"));
    expect(problems.map((problem) => problem.message)).toContain(
      'item products["com.ubuntu.juju:ubuntu:amd64"].versions["20261123"].items["3.6.12-ubuntu-amd64-ubuntu-amd64"] has version "3.6.12-ubuntu-amd64", which Juju cannot parse',
    );
    expect(problems.some((problem) => problem.juju.includes("panics"))).toBe(true);
    expect(report.agents?.lookups.every((pick) => pick.outcome === "broken")).toBe(true);
  });

  it("an image item without arch after inheritance", async () => {
    const fake = await mirror();
    await fake.editJson(`images/${IMAGE_PRODUCT_PATH}`, (document) => {
      const products = document.products as Record<string, Record<string, unknown>>;
      delete (products["com.ubuntu.cloud:server:22.04:arm64"] as Record<string, unknown>).arch;
    });
    const [problem] = problemsAbout(
      await verify(fake, { imageKeys: undefined }),
      IMAGE_PRODUCT_PATH,
    );
    expect(problem?.message).toMatch(
      /^item products\["com\.ubuntu\.cloud:server:22\.04:arm64"\]\.versions\["20261123"\]\.items\["RegionOne-one-jammy-arm"\] has no arch after inheritance/,
    );
  });

  it("an HTML page with status 200 for a missing file", async () => {
    const fake = await mirror();
    const page = () =>
      new Response("<!DOCTYPE html><h1>Not found</h1>", {
        headers: { "content-type": "text/html" },
      });
    fake.files.set("images/streams/v1/index2.sjson", page);
    const [problem] = problemsAbout(await verify(fake), "streams/v1/index2.sjson");
    expect(problem).toMatchObject({ area: "images", url: `${IMAGES}/streams/v1/index2.sjson` });
    expect(problem?.message).toContain('HTML page (text/html) — a "soft 404"');
  });
});

describe("verifyMirror finds other defects", () => {
  it("a size written as a string fails the whole product file", async () => {
    const fake = await mirror();
    await fake.editJson(`juju/tools/${agentProductPath("proposed")}`, (document) => {
      const products = document.products as Record<
        string,
        { versions: Record<string, { items: Record<string, Record<string, unknown>> }> }
      >;
      const item =
        products["com.ubuntu.juju:ubuntu:arm64"]?.versions["20261123"]?.items[
          "3.6.13-ubuntu-arm64"
        ];
      if (item === undefined) throw new Error("no item");
      item.size = String(item.size);
    });
    const [problem] = problemsAbout(await verify(fake), agentProductPath("proposed"));
    expect(problem?.message).toContain('.size: expected integer, got "24"');
    expect(problem?.juju).toContain("rejects it");
  });

  it("a tarball sent gzip-encoded, or by redirect", async () => {
    const fake = await mirror();
    const gzipped = agentTarballPath("3.6.13", "amd64");
    const moved = agentTarballPath("3.6.13", "arm64");
    fake.files.set(
      `juju/tools/${gzipped}`,
      () => new Response("x", { headers: { "content-encoding": "gzip" } }),
    );
    fake.files.set(
      `juju/tools/${moved}`,
      () => new Response(null, { status: 301, headers: { location: "https://cdn.test/a.tgz" } }),
    );
    const report = await verify(fake);
    expect(problemsAbout(report, gzipped)[0]?.message).toContain("Content-Encoding: gzip");
    expect(problemsAbout(report, moved)[0]?.message).toContain(
      "a redirect to https://cdn.test/a.tgz",
    );
  });

  it("signed agent metadata not made with Juju's key, which Juju ignores", async () => {
    const report = await verify(await mirror(), { agentKeys: undefined, imagesUrl: undefined });
    const [problem] = problemsAbout(report, "streams/v1/index2.sjson");
    expect(problem?.message).toMatch(
      /^does not verify with Juju's built-in agent key \(378F62AF6A157DB3\): signed by unknown key/,
    );
    expect(problem?.juju).toContain("fall back to the unsigned index");
    // Juju still finds every agent, through the unsigned twins.
    expect(report.agents?.lookups.every((pick) => pick.index === "streams/v1/index2.json")).toBe(
      true,
    );
  });

  it("a client or cloud the mirror has nothing for", async () => {
    const report = await verify(await mirror(), {
      jujuVersion: "3.5.2",
      cloud: { region: "RegionThree", endpoint: ENDPOINT },
      base: "ubuntu@24.04",
      arch: "amd64",
    });
    const messages = report.problems.map((problem) => `${problem.message}\n${problem.juju}`);
    expect(messages).toContainEqual(
      expect.stringMatching(
        /^a Juju 3\.5\.2 client on ubuntu\/amd64 .* finds no agent: no released ubuntu\/amd64 agent 3\.5\.x is advertised\n.*no matching agent binaries available/,
      ),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(
        /index file has no data for cloud \{RegionThree https:\/\/keystone\.test:5000\/v3\}\n.*no metadata for "ubuntu@24\.04" images in RegionThree with arch amd64/,
      ),
    );
  });

  it("nothing served where the operator pointed, and only a note where they did not", async () => {
    const agentsOnly = createFakeMirror();
    await addAgentTree(agentsOnly);
    const report = await verify(agentsOnly);
    expect(report.ok).toBe(true);
    expect(report.notes.map((note) => note.message)).toContain(
      `nothing is served at ${IMAGES}: every index file answers 404`,
    );
    const required = await verify(agentsOnly, { requireImages: true });
    expect(required.problems.map((problem) => problem.message)).toEqual([
      "no index is served here: index2.sjson, index.sjson, index2.json and index.json all answer 404",
    ]);
    const empty = await verify(createFakeMirror());
    expect(empty.ok).toBe(false);
    expect(empty.problems[0]?.message).toContain("every index file answers 404");
  });

  it("refuses options with nothing to check or a malformed base", async () => {
    await expect(verifyMirror({})).rejects.toThrow(/`agentsUrl` or `imagesUrl`/);
    await expect(verifyMirror({ imagesUrl: IMAGES, base: "noble" })).rejects.toThrow(
      /`base` to be ubuntu@YY\.MM/,
    );
  });
});
