/** `streamgate verify`'s flags: bad input exits 2 with a message naming the flag, before any request. */
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../cli/run-cli.ts";

let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "streamgate-verify-cli-"));
  await writeFile(join(dir, "not-a-key.asc"), "hello\n");
});

describe("streamgate verify", () => {
  it.each([
    {
      args: ["--juju-version", "three"],
      message: "`--juju-version` expects a Juju version such as 3.6.12 or 3.6, got three",
    },
    {
      args: ["--arch", "i386"],
      message: "`--arch` expects one of amd64, arm64, ppc64el, s390x, riscv64, got i386",
    },
    { args: ["--region", "RegionOne"], message: "`--region` and `--endpoint` go together" },
    {
      args: ["--region", "R", "--endpoint", "keystone:5000"],
      message: "`--endpoint` expects an http:// or https:// URL",
    },
    {
      args: ["--base", "noble"],
      message: "`--base` expects ubuntu@YY.MM (e.g. ubuntu@24.04), got noble",
    },
    { args: ["--agent-stream", "Released!"], message: "`--agent-stream` expects a stream name" },
    {
      args: ["--agents-url", "ftp://mirror/juju/tools"],
      message: "`--agents-url` expects an http(s):// or file:// URL or a directory",
    },
    {
      args: ["--image-key", "not-a-key.asc"],
      message: "--image-key not-a-key.asc: cannot read public key",
    },
    { args: ["--agent-key", "missing.asc"], message: "cannot read --agent-key missing.asc" },
  ])("exits 2 for $args", async ({ args, message }) => {
    const { code, stderr, stdout } = await runCli(["verify", dir, ...args], { cwd: dir });
    expect(stderr).toContain(message);
    expect(code).toBe(2);
    expect(stdout).toBe("");
  });

  it("exits 2 for a ROOT that is neither a URL nor a directory", async () => {
    const { code, stderr } = await runCli(["verify", join(dir, "nowhere")], { cwd: dir });
    expect(code).toBe(2);
    expect(stderr).toContain("is neither an http(s):// URL nor a directory");
  });

  it("exits 1 for a directory that serves nothing, with one JSON document on stdout", async () => {
    const { code, stderr, stdout } = await runCli(["verify", dir, "--json"], { cwd: dir });
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report).toMatchObject({ ok: false, root: dir });
    expect(report.problems[0].message).toMatch(
      /^no index is served at file:\/\/.* every index file answers 404$/,
    );
    expect(stderr).toContain("streamgate: verify found 1 problem");
  });

  it("exits 1 loudly when the mirror cannot be reached", async () => {
    const { code, stdout } = await runCli(["verify", "http://127.0.0.1:9", "--json"], { cwd: dir });
    expect(code).toBe(1);
    const report = JSON.parse(stdout);
    expect(report.problems.map((problem: { message: string }) => problem.message)).toContainEqual(
      expect.stringContaining("no answer: fetch failed"),
    );
  });
});
