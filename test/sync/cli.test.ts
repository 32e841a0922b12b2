import { readdir, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { AGENTS_LOCK_KEY } from "../../src/sync/index.ts";
import { runCli } from "../cli/run-cli.ts";
import { createWorld, directorySnapshot, type SyncWorld, syncAgentsCli } from "./support.ts";

let world: SyncWorld | undefined;

afterEach(async () => {
  await world?.cleanup();
  world = undefined;
});

describe("streamgate sync agents", () => {
  it("prints exactly one JSON document, the report, with --json", async () => {
    world = await createWorld();
    const { code, stdout, stderr } = await syncAgentsCli(world, ["--min-version", "3.6", "--json"]);
    expect(code, stderr).toBe(0);
    const report = JSON.parse(stdout);
    expect(stdout.trim().startsWith("{") && stdout.trim().endsWith("}")).toBe(true);
    expect(report).toMatchObject({
      job: "agents",
      outcome: "published",
      generation: 1,
      filters: { streams: ["released"], minVersion: "3.6", arches: ["amd64"], keep: 2 },
      selected: { versions: ["3.6.9", "3.6.12"], tarballs: 2 },
      transfer: { copied: 2 },
    });
    expect(report.plan.copies.map((copy: { path: string }) => copy.path).sort()).toEqual([
      "agent/3.6.12/juju-3.6.12-linux-amd64.tgz",
      "agent/3.6.9/juju-3.6.9-linux-amd64.tgz",
    ]);
    expect(stderr).toContain("published generation 1");
  });

  it("plans with --dry-run and changes nothing, not even state or locks", async () => {
    world = await createWorld();
    const empty = await syncAgentsCli(world, ["--dry-run", "--json"]);
    expect(empty.code, empty.stderr).toBe(0);
    expect(JSON.parse(empty.stdout)).toMatchObject({ outcome: "dry-run", published: false });
    await expect(readdir(world.storeRoot)).rejects.toThrow(/ENOENT/);

    expect((await syncAgentsCli(world, ["--min-version", "3.5"])).code).toBe(0);
    const before = await directorySnapshot(world.storeRoot);
    const dry = await syncAgentsCli(world, [
      "--min-version",
      "3.6",
      "--arch",
      "amd64,arm64",
      "--dry-run",
    ]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stderr).toContain("dry run: nothing was changed");
    expect(dry.stderr).toMatch(/would copy 2 tarball\(s\)/);
    expect(dry.stderr).toContain("+ agent/3.6.12/juju-3.6.12-linux-arm64.tgz");
    expect(dry.stderr).toContain(
      "- juju/tools/agent/3.5.5/juju-3.5.5-linux-amd64.tgz (after-grace)",
    );
    expect(await directorySnapshot(world.storeRoot)).toEqual(before);
  });

  it.each([
    {
      args: ["--mode", "exact", "--arch", "amd64"],
      message: /--arch cannot be used with --mode exact/,
    },
    {
      args: ["--mode", "exact", "--min-version", "3.5", "--keep", "3"],
      message: /--min-version, --keep cannot be used with --mode exact/,
    },
    {
      args: ["--mode", "exact", "--allow-unsigned-upstream"],
      message: /--allow-unsigned-upstream cannot be used with --mode exact/,
    },
    { args: ["--min-version", "three"], message: /--min-version: expected MAJOR\.MINOR/ },
    { args: ["--arch", "sparc"], message: /--arch/ },
    { args: ["--upstream-key", "/nonexistent/key.asc"], message: /cannot read the upstream key/ },
  ])("exits 2 for $args", async ({ args, message }) => {
    world = await createWorld();
    const { code, stderr } = await syncAgentsCli(world, args);
    expect(code).toBe(2);
    expect(stderr).toMatch(message);
    await expect(readdir(world.storeRoot)).rejects.toThrow(/ENOENT/);
  });

  it("applies flags over the configuration file's agents block", async () => {
    world = await createWorld();
    const config = join(world.dir, "streamgate.yaml");
    await writeFile(
      config,
      `agents:\n  minVersion: "3.6"\n  arches: [arm64]\n  keep: 1\n  graceSeconds: 0\n`,
    );
    const { code, stdout, stderr } = await syncAgentsCli(world, [
      "--config",
      config,
      "--arch",
      "amd64,s390x",
      "--json",
    ]);
    expect(code, stderr).toBe(0);
    expect(JSON.parse(stdout)).toMatchObject({
      filters: { minVersion: "3.6", arches: ["amd64", "s390x"], keep: 1 },
      selected: { versions: ["3.6.12"], tarballs: 2 },
    });
  });

  it("exits 2 for a configuration that narrows exact mode", async () => {
    world = await createWorld();
    const config = join(world.dir, "streamgate.yaml");
    await writeFile(config, "agents:\n  mode: exact\n  keep: 3\n");
    const { code, stderr } = await syncAgentsCli(world, ["--config", config]);
    expect(code).toBe(2);
    expect(stderr).toContain("keep is only allowed with mode: filtered");
  });

  it("exits 1 naming the holder and the expiry when another sync holds the lock", async () => {
    world = await createWorld();
    const { createFsStore } = await import("../../src/store/fs.ts");
    await createFsStore({ root: world.storeRoot }).put(
      AGENTS_LOCK_KEY,
      JSON.stringify({
        owner: "streamgate sync agents on other-host (pid 7)",
        acquiredAt: "2026-11-23T10:00:00.000Z",
        expiresAt: "2999-01-01T00:00:00.000Z",
      }),
    );
    const { code, stderr } = await syncAgentsCli(world, []);
    expect(code).toBe(1);
    expect(stderr).toContain('owner "streamgate sync agents on other-host (pid 7)"');
    expect(stderr).toContain("expires at 2999-01-01T00:00:00.000Z");
    expect(stderr).toContain("--wait");
  });

  it("exits 1 when the upstream is unreachable", async () => {
    world = await createWorld();
    const { code, stderr } = await runCli(
      [
        "sync",
        "agents",
        "--upstream",
        `${world.fixture.url}/nothing-here`,
        "--store",
        `file:${world.storeRoot}`,
      ],
      { cwd: world.dir },
    );
    expect(code).toBe(1);
    expect(stderr).toContain("no simplestreams index found");
  });

  it("mirrors an unsigned upstream only with --allow-unsigned-upstream", async () => {
    world = await createWorld();
    for (const file of world.fixture.files.filter((path) => path.endsWith(".sjson"))) {
      await rm(join(world.fixture.root, file));
    }
    const refused = await syncAgentsCli(world, []);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("--allow-unsigned-upstream");
    const allowed = await syncAgentsCli(world, ["--allow-unsigned-upstream", "--json"]);
    expect(allowed.code, allowed.stderr).toBe(0);
    const report = JSON.parse(allowed.stdout);
    expect(report).toMatchObject({
      outcome: "published",
      upstream: { index: "streams/v1/index2.json", signed: false },
    });
    expect(report.warnings.join("\n")).toContain("is not signed");
  });
});
