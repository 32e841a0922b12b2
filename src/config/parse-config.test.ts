import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.ts";
import { parseConfig } from "./parse-config.ts";

describe("parseConfig", () => {
  it("fills in every default from an empty document", () => {
    const config = parseConfig({}, "test");
    expect(config.store).toBe("file:./data");
    expect(config.listen).toEqual({ host: "127.0.0.1", port: 8080 });
    expect(config.agents).toBeUndefined();
    expect(config.images).toBeUndefined();
  });

  it("defaults an agents job as DESIGN.md §7 shows it", () => {
    const config = parseConfig({ agents: {} }, "test");
    expect(config.agents).toMatchObject({
      cron: "17 */6 * * *",
      runOnStart: true,
      upstream: "https://streams.canonical.com/juju/tools",
      upstreamKey: "builtin",
      mode: "filtered",
      streams: ["released"],
      minVersion: "latest",
      arches: ["amd64"],
      keep: 2,
      pins: [],
    });
  });

  it("names every bad key in one error", () => {
    const bad = {
      stor: "file:x",
      listen: { port: "eighty" },
      agents: { cron: "every day", arches: ["x86"], minVersion: "3" },
      images: {},
    };
    let error: unknown;
    try {
      parseConfig(bad, "streamgate.yaml");
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const problems = (error as ConfigError).problems;
    expect(problems).toEqual(
      expect.arrayContaining([
        "stor: unknown key",
        expect.stringMatching(/^listen\.port: /),
        "agents.cron: not a valid cron expression",
        expect.stringMatching(/^agents\.arches\.0: /),
        expect.stringMatching(/^agents\.minVersion: expected MAJOR\.MINOR/),
        expect.stringMatching(/^images\.cloud: /),
      ]),
    );
    expect((error as Error).message).toContain("invalid configuration in streamgate.yaml");
  });

  it("refuses an unsigned upstream in exact mode", () => {
    expect(() =>
      parseConfig({ agents: { mode: "exact", allowUnsignedUpstream: true } }, "test"),
    ).toThrow(/allowUnsignedUpstream: .*only allowed with mode: filtered/);
  });

  it("refuses agent filters other than streams in exact mode, and fills graceSeconds", () => {
    expect(() =>
      parseConfig({ agents: { mode: "exact", streams: ["released"], arches: ["amd64"] } }, "test"),
    ).toThrow(/agents\.arches: arches is only allowed with mode: filtered/);
    const config = parseConfig({ agents: { mode: "exact", streams: ["released"] } }, "test");
    expect(config.agents).toMatchObject({ mode: "exact", graceSeconds: 3600 });
  });
});
