import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.ts";

describe("streamgate --help", () => {
  it("lists every command of the stable CLI surface", async () => {
    const { code, stdout } = await runCli(["--help"]);
    expect(code).toBe(0);
    for (const command of ["serve", "sync", "verify", "keygen", "sign", "bundle", "keystone"]) {
      expect(stdout).toMatch(new RegExp(`^  ${command}\\b`, "m"));
    }
  });

  it("lists the subcommands and their flags", async () => {
    const sync = await runCli(["sync", "--help"]);
    expect(sync.stdout).toMatch(/agents/);
    expect(sync.stdout).toMatch(/images/);
    const agents = await runCli(["sync", "agents", "--help"]);
    for (const flag of [
      "--upstream-key",
      "--min-version",
      "--keep",
      "--mode",
      "--dry-run",
      "--json",
    ]) {
      expect(agents.stdout).toContain(flag);
    }
    const bundle = await runCli(["bundle", "--help"]);
    expect(bundle.stdout).toMatch(/export/);
    expect(bundle.stdout).toMatch(/import/);
  });
});

describe("exit codes", () => {
  it("exits 2 when a required option is missing", async () => {
    const { code, stderr } = await runCli(["keystone", "endpoints"]);
    expect(code).toBe(2);
    expect(stderr).toContain("required option '--public-url <url>' not specified");
  });

  it("exits 2 on an unknown flag or command", async () => {
    const flag = await runCli(["serve", "--no-such-flag"]);
    expect(flag.code).toBe(2);
    expect(flag.stderr).toMatch(/unknown option '--no-such-flag'/);
    const command = await runCli(["frobnicate"]);
    expect(command.code).toBe(2);
  });

  it("exits 2 on a bad number", async () => {
    const { code, stderr } = await runCli(["serve", "--port", "eighty"]);
    expect(code).toBe(2);
    expect(stderr).toContain("`--port` expects a whole number");
  });

  it("exits 2 with every bad key of an invalid configuration", async () => {
    const { code, stderr } = await runCli(["serve"], {
      env: { STREAMGATE_CONFIG: '{"agents": {"cron": "bad", "keep": 0}}' },
    });
    expect(code).toBe(2);
    expect(stderr).toContain("agents.cron: not a valid cron expression");
    expect(stderr).toContain("agents.keep:");
  });
});
