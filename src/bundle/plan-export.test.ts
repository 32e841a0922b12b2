import { describe, expect, it } from "vitest";
import type { ObjectInfo } from "../store/object-store.ts";
import { planExport } from "./plan-export.ts";

function info(key: string, lastModified: string, sha256?: string): ObjectInfo {
  return {
    key,
    size: key.length,
    etag: "e",
    lastModified: new Date(lastModified),
    ...(sha256 === undefined ? {} : { sha256 }),
  };
}

const listing = [
  info("juju/tools/streams/v1/index2.json", "2026-11-20T00:00:00Z"),
  info("juju/tools/agent/3.6.1/old.tgz", "2026-11-20T00:00:00Z", "1".repeat(64)),
  info("juju/tools/agent/3.6.2/new.tgz", "2026-11-23T00:00:00Z", "2".repeat(64)),
  info("juju/tools/agent/3.6.2/same-ms.tgz", "2026-11-22T00:00:00Z"),
  info("juju/tools/streams/v1/com.ubuntu.juju-released-agents.json", "2026-11-20T00:00:00Z"),
];

describe("planExport", () => {
  it("includes everything in publish order without a cut-off", () => {
    const plan = planExport(listing);
    expect(plan.map(({ key }) => key)).toEqual([
      "juju/tools/agent/3.6.1/old.tgz",
      "juju/tools/agent/3.6.2/new.tgz",
      "juju/tools/agent/3.6.2/same-ms.tgz",
      "juju/tools/streams/v1/com.ubuntu.juju-released-agents.json",
      "juju/tools/streams/v1/index2.json",
    ]);
    expect(plan.every(({ included }) => included)).toBe(true);
    expect(plan[0]).toMatchObject({ objectClass: "object", sha256: "1".repeat(64) });
    expect(plan[4]?.objectClass).toBe("index");
  });

  it("leaves out payload last written before the cut-off, never metadata", () => {
    const plan = planExport(listing, new Date("2026-11-22T00:00:00Z"));
    const included = Object.fromEntries(plan.map(({ key, included }) => [key, included]));
    expect(included).toEqual({
      "juju/tools/agent/3.6.1/old.tgz": false,
      "juju/tools/agent/3.6.2/new.tgz": true,
      // Written in the very millisecond of the publish: carried again rather than missed.
      "juju/tools/agent/3.6.2/same-ms.tgz": true,
      "juju/tools/streams/v1/com.ubuntu.juju-released-agents.json": true,
      "juju/tools/streams/v1/index2.json": true,
    });
  });
});
