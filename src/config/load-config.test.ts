import { mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.ts";
import { loadConfig } from "./load-config.ts";

async function tempDir() {
  return mkdtemp(join(tmpdir(), "streamgate-config-"));
}

describe("loadConfig", () => {
  it("reads ./streamgate.yaml when nothing else is given", async () => {
    const cwd = await tempDir();
    await writeFile(
      join(cwd, "streamgate.yaml"),
      "store: file:/srv/mirror\nlisten: {port: 9000}\n",
    );
    const { config, source } = await loadConfig({ cwd, env: {} });
    expect(source).toBe("streamgate.yaml");
    expect(config.store).toBe("file:/srv/mirror");
    expect(config.listen.port).toBe(9000);
  });

  it("uses defaults when there is no file", async () => {
    const { config, source } = await loadConfig({ cwd: await tempDir(), env: {} });
    expect(source).toBe("defaults");
    expect(config.store).toBe("file:./data");
  });

  it("takes STREAMGATE_CONFIG as JSON, and --store over STREAMGATE_STORE over the file", async () => {
    const env = { STREAMGATE_CONFIG: '{"store": "file:/a"}', STREAMGATE_STORE: "file:/b" };
    expect((await loadConfig({ cwd: await tempDir(), env })).config.store).toBe("file:/b");
    const flagged = await loadConfig({ cwd: await tempDir(), env, store: "file:/c" });
    expect(flagged.config.store).toBe("file:/c");
    expect(flagged.source).toBe("STREAMGATE_CONFIG");
  });

  it("reports a missing --config file and YAML syntax errors as configuration errors", async () => {
    const cwd = await tempDir();
    await expect(loadConfig({ cwd, env: {}, file: join(cwd, "nope.yaml") })).rejects.toThrow(
      ConfigError,
    );
    const broken = join(cwd, "broken.yaml");
    await writeFile(broken, "agents: {cron: [unclosed\n");
    await expect(loadConfig({ cwd, env: {}, file: broken })).rejects.toThrow(/broken\.yaml/);
    const duplicated = join(cwd, "dup.yaml");
    await writeFile(duplicated, "store: a\nstore: b\n");
    await expect(loadConfig({ cwd, env: {}, file: duplicated })).rejects.toThrow(ConfigError);
  });

  it("accepts the shipped streamgate.yaml", async () => {
    const shipped = join(import.meta.dirname, "../../streamgate.yaml");
    const { config } = await loadConfig({ env: {}, file: shipped });
    expect(config.agents?.upstream).toBe("https://streams.canonical.com/juju/tools");
    expect(config.images).toBeUndefined();
    expect(await readFile(shipped, "utf8")).toContain("images:");
  });
});
