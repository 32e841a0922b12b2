import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { parseConfig } from "../../src/config/parse-config.ts";
import { jobsFromConfig } from "../../src/jobs/configured-jobs.ts";
import { openNodeAgentsUpstream } from "../../src/jobs/node-upstream.ts";
import { readJobState } from "../../src/scheduler/job-state-store.ts";
import { runJob } from "../../src/scheduler/run-job.ts";
import { runAgentsSync } from "../../src/sync/index.ts";
import { createHttpTransport, createUpstream } from "../../src/upstream/index.ts";
import { type Handler, serveTree, type TreeServer } from "../upstream/serve-tree.ts";
import { servedTreeProblems } from "./check-served.ts";
import { agentsConfig, createWorld, type SyncWorld } from "./support.ts";

const TARBALL = "agent/3.6.12/juju-3.6.12-linux-amd64.tgz";

let world: SyncWorld | undefined;
let server: TreeServer | undefined;

afterEach(async () => {
  await server?.close();
  await world?.cleanup();
  server = undefined;
  world = undefined;
});

/** Sends the headers and half the file, then drops the connection — `times` times. */
function dropMidway(root: string, path: string, times: number): Handler {
  let dropped = 0;
  return (_request, response, serveFile) => {
    if (dropped >= times) {
      serveFile();
      return;
    }
    dropped++;
    stat(join(root, path)).then((info) => {
      response.writeHead(200, { "content-length": info.size });
      createReadStream(join(root, path), { start: 0, end: Math.floor(info.size / 2) })
        .on("data", (chunk) => response.write(chunk))
        .on("end", () => response.socket?.destroy());
    });
  };
}

describe("agents sync over HTTP", () => {
  it("copies a tarball again when its body dies mid-way", async () => {
    world = await createWorld();
    server = await serveTree(world.fixture.root);
    server.override(TARBALL, dropMidway(world.fixture.root, TARBALL, 2));
    const upstream = createUpstream({
      base: server.base,
      transport: createHttpTransport({ retryDelayMs: 1 }),
      keys: world.fixture.publicKey,
    });
    const report = await runAgentsSync({
      store: world.store,
      upstream,
      config: agentsConfig({ minVersion: "3.6" }),
      retries: 3,
      retryDelayMs: 1,
    });
    expect(report.outcome).toBe("published");
    expect(report.transfer.retries).toBe(2);
    expect(
      report.warnings.filter((warning) => warning.startsWith(`retrying ${TARBALL}`)),
    ).toHaveLength(2);
    expect(server.requests.filter((path) => path === TARBALL)).toHaveLength(3);
    expect(await servedTreeProblems(world.store)).toEqual([]);
  });

  it("fails, naming the tarball, when every attempt dies, and publishes nothing", async () => {
    world = await createWorld();
    server = await serveTree(world.fixture.root);
    server.override(TARBALL, dropMidway(world.fixture.root, TARBALL, 100));
    const upstream = createUpstream({
      base: server.base,
      transport: createHttpTransport({ retryDelayMs: 1 }),
      keys: world.fixture.publicKey,
    });
    const error = await runAgentsSync({
      store: world.store,
      upstream,
      config: agentsConfig({ minVersion: "3.6" }),
      retries: 1,
      retryDelayMs: 1,
    }).then(
      () => undefined,
      (caught: unknown) => caught as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error?.message).toContain(`cannot download ${TARBALL} (after 2 attempts)`);
    expect(await world.store.head("juju/tools/streams/v1/index2.json")).toBeNull();
  });
});

describe("the configured agents job on Node", () => {
  it("reads its upstream (file:// here) and key file at run time and publishes through runJob", async () => {
    world = await createWorld();
    const config = parseConfig(
      {
        agents: {
          upstream: world.fixture.url,
          upstreamKey: world.keyFile,
          minVersion: "3.6",
          arches: ["amd64", "arm64"],
          graceSeconds: 0,
        },
      },
      "test",
    );
    const [job] = jobsFromConfig(config, {
      openUpstream: (agents) => openNodeAgentsUpstream(agents),
    });
    expect(job?.name).toBe("agents");
    if (job === undefined) throw new Error("no agents job");
    const run = await runJob(job, { store: world.store });
    expect(run).toMatchObject({ outcome: "ok", generation: 1, counts: { copied: 4 } });
    expect((await readJobState(world.store, "agents"))?.generation).toBe(1);
    expect(await servedTreeProblems(world.store)).toEqual([]);
  });

  it("fails the run with a clear message when the key file is missing", async () => {
    world = await createWorld();
    const config = parseConfig(
      { agents: { upstream: world.fixture.url, upstreamKey: join(world.dir, "missing.asc") } },
      "test",
    );
    const [job] = jobsFromConfig(config, {
      openUpstream: (agents) => openNodeAgentsUpstream(agents),
    });
    if (job === undefined) throw new Error("no agents job");
    const run = await runJob(job, { store: world.store });
    expect(run.outcome).toBe("failed");
    expect(run.errors[0]).toContain("cannot read the upstream key");
  });

  it("cannot read file:// upstreams or key files without the Node runtime", async () => {
    world = await createWorld();
    const config = parseConfig({ agents: { upstream: world.fixture.url } }, "test");
    const [job] = jobsFromConfig(config);
    if (job === undefined) throw new Error("no agents job");
    const run = await runJob(job, { store: world.store });
    expect(run.outcome).toBe("failed");
    expect(run.errors[0]).toContain("file:// tree, which this runtime cannot read");
  });
});
