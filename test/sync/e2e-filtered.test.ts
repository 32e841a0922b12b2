import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseJujuVersion } from "../../src/core/index.ts";
import type { AgentsSyncReport } from "../../src/sync/index.ts";
import { lookupAgent } from "../../src/verify/index.ts";
import { runCli } from "../cli/run-cli.ts";
import { serveTree, type TreeServer } from "../upstream/serve-tree.ts";
import { fetchText, servedItems, tarballProblems } from "./served-walk.ts";
import {
  createWorld,
  RELEASED_AGENTS_SJSON,
  type ServedStore,
  type SyncWorld,
  serveStore,
  snapshot,
} from "./support.ts";

const FILTER = ["--min-version", "3.5", "--arch", "amd64,arm64"];

describe("sync agents (filtered) → served tree → Juju's lookup", () => {
  let world: SyncWorld;
  let upstreamServer: TreeServer;
  let served: ServedStore;
  let report: AgentsSyncReport & { generation?: number };
  let cli: { code: number | null; stdout: string; stderr: string };

  beforeAll(async () => {
    world = await createWorld();
    upstreamServer = await serveTree(world.fixture.root);
    cli = await runCli(
      [
        "sync",
        "agents",
        "--upstream",
        upstreamServer.base,
        "--upstream-key",
        world.keyFile,
        "--store",
        `file:${world.storeRoot}`,
        ...FILTER,
        "--json",
      ],
      { cwd: world.dir },
    );
    report = JSON.parse(cli.stdout);
    served = await serveStore(world.store);
  });

  afterAll(async () => {
    await served?.close();
    await upstreamServer?.close();
    await world?.cleanup();
  });

  it("exits 0, prints one JSON report on stdout and a summary on stderr", () => {
    expect(cli.code).toBe(0);
    expect(report).toMatchObject({
      outcome: "published",
      published: true,
      mode: "filtered",
      generation: 1,
      upstream: { index: "streams/v1/index2.sjson", signed: true },
    });
    expect(report.upstream.signer?.fingerprint).toBe(world.fixture.fingerprint);
    expect(report.selected.versions).toEqual(["3.5.4", "3.5.5", "3.6.9", "3.6.12"]);
    expect(cli.stderr).toContain("published generation 1");
  });

  it("read the upstream index and product file through their index paths over HTTP", () => {
    expect(upstreamServer.requests).toContain("streams/v1/index2.sjson");
    expect(upstreamServer.requests).toContain(RELEASED_AGENTS_SJSON);
    expect(upstreamServer.requests).not.toContain("streams/v1/com.ubuntu.juju-devel-agents.sjson");
  });

  it("gives a 3.5 client the newest 3.5 patch, after the signed indexes 404", async () => {
    const found = await lookupAgent({
      baseUrl: served.agentsUrl,
      jujuVersion: "3.5.0",
      arch: "amd64",
    });
    expect(found).toMatchObject({
      outcome: "found",
      version: "3.5.5",
      index: { path: "streams/v1/index2.json", signed: false },
      tarball: { path: "agent/3.5.5/juju-3.5.5-linux-amd64.tgz" },
    });
    const statuses = Object.fromEntries(found.requests.map((r) => [r.path, r.status]));
    expect(statuses).toMatchObject({
      "streams/v1/index2.sjson": 404,
      "streams/v1/index.sjson": 404,
      "streams/v1/index2.json": 200,
      "streams/v1/mirrors.json": 404,
    });
  });

  it.each(["amd64", "arm64"])("gives a 3.6 client on %s 3.6.12", async (arch) => {
    const found = await lookupAgent({ baseUrl: served.agentsUrl, jujuVersion: "3.6", arch });
    expect(found.outcome).toBe("found");
    expect(found.outcome === "found" && found.version).toBe("3.6.12");
    expect(found.outcome === "found" && found.tarball?.path).toBe(
      `agent/3.6.12/juju-3.6.12-linux-${arch}.tgz`,
    );
  });

  it.each([
    { what: "an arch outside the filter", jujuVersion: "3.6", arch: "s390x", stream: "released" },
    {
      what: "a version below --min-version",
      jujuVersion: "3.4",
      arch: "amd64",
      stream: "released",
    },
    { what: "a stream outside the filter", jujuVersion: "3.7", arch: "amd64", stream: "devel" },
    { what: "a proposed-only version", jujuVersion: "3.6", arch: "amd64", stream: "released" },
  ])("advertises nothing for $what", async ({ jujuVersion, arch, stream }) => {
    const result = await lookupAgent({ baseUrl: served.agentsUrl, jujuVersion, arch, stream });
    if (jujuVersion === "3.6" && arch === "amd64") {
      // 3.6.13 is in proposed only: a released client must get 3.6.12, never 3.6.13.
      expect(result.outcome === "found" && result.version).toBe("3.6.12");
      return;
    }
    expect(result.outcome).toBe("not-found");
  });

  it("serves nothing outside the filter in any product file, and every tarball it names", async () => {
    const items = await servedItems(served.agentsUrl);
    expect(items.length).toBe(8);
    for (const { item, productFile } of items) {
      expect(item.contentId).toBe("com.ubuntu.juju:released:agents");
      expect(productFile).toMatch(
        /^streams\/v1\/com\.ubuntu\.juju-released-agents-[0-9a-f]{12}\.json$/,
      );
      expect(["amd64", "arm64"]).toContain(item.fields.arch);
      expect(item.fields.release).toBe("ubuntu");
      const version = parseJujuVersion(item.fields.version ?? "");
      expect(version.major * 100 + version.minor).toBeGreaterThanOrEqual(305);
    }
    const { problems, checked } = await tarballProblems(
      served.agentsUrl,
      items.map(({ item }) => item),
    );
    expect(problems).toEqual([]);
    expect(checked).toBe(8);
  });

  it("answers 404 for every agent .sjson and for mirrors", async () => {
    for (const path of [
      "streams/v1/index2.sjson",
      "streams/v1/index.sjson",
      RELEASED_AGENTS_SJSON,
      "streams/v1/mirrors.sjson",
      "streams/v1/mirrors.json",
      "streams/v1/index.json",
    ]) {
      expect((await fetchText(`${served.agentsUrl}/${path}`)).status, path).toBe(404);
    }
  });

  it("shows the CLI run on /status with its generation", async () => {
    const status = JSON.parse((await fetchText(`${served.origin}/status`)).text);
    expect(status.jobs.agents).toMatchObject({ generation: 1, lastRun: { outcome: "ok" } });
  });

  it("builds the same tree byte for byte from the same upstream over file://", async () => {
    const other = `${world.dir}/store-from-file`;
    const { code } = await runCli(
      [
        "sync",
        "agents",
        "--upstream",
        world.fixture.url,
        "--upstream-key",
        world.keyFile,
        "--store",
        `file:${other}`,
        ...FILTER,
      ],
      { cwd: world.dir },
    );
    expect(code).toBe(0);
    const { createFsStore } = await import("../../src/store/fs.ts");
    expect(await snapshot(createFsStore({ root: other }))).toEqual(await snapshot(world.store));
  });
});
