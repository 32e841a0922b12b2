import { spawnSync } from "node:child_process";
import { copyFile, mkdtemp, readdir, readFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const UNITS = join(import.meta.dirname, "../../infra/systemd");

describe("infra/systemd units", () => {
  it("pass systemd-analyze verify without a single warning", async () => {
    const names = (await readdir(UNITS)).filter((name) => /\.(service|timer)$/.test(name));
    expect(names.sort()).toEqual([
      "streamgate-sync-agents.service",
      "streamgate-sync-agents.timer",
      "streamgate-sync-images.service",
      "streamgate-sync-images.timer",
      "streamgate.service",
    ]);
    // Verified from a scratch directory so a timer finds its service beside it, as installed.
    const dir = await mkdtemp(join(tmpdir(), "streamgate-units-"));
    for (const name of names) await copyFile(join(UNITS, name), join(dir, name));
    const result = spawnSync("systemd-analyze", ["verify", "--man=no", ...names], {
      cwd: dir,
      encoding: "utf8",
    });
    expect(result.error, "systemd-analyze is missing: apt-get install systemd").toBeUndefined();
    // systemd-analyze also loads the machine's own units (Debian's keystone package ships
    // one it warns about); only what it says of ours counts.
    const ours = result.stderr.split("\n").filter((line) => /streamgate/.test(line));
    expect(ours).toEqual([]);
    expect(result.status).toBe(0);
  });

  it("sync the same schedules as the configuration defaults", async () => {
    expect(await readFile(join(UNITS, "streamgate-sync-agents.timer"), "utf8")).toContain(
      "OnCalendar=*-*-* 00/6:17:00",
    );
    expect(await readFile(join(UNITS, "streamgate-sync-images.timer"), "utf8")).toContain(
      "OnCalendar=*:00/30",
    );
  });
});
