import { describe, expect, it } from "vitest";
import { formatVerifyReport } from "./format-report.ts";
import {
  addAgentTree,
  addImageTree,
  agentTarballPath,
  createFakeMirror,
  ORIGIN,
} from "./test-support.ts";
import { verifyMirror } from "./verify-mirror.ts";

async function report(seed?: (fake: ReturnType<typeof createFakeMirror>) => void) {
  const fake = createFakeMirror();
  await addAgentTree(fake, { streams: { released: ["3.6.12"] }, arches: ["amd64"] });
  await addImageTree(fake, {
    regions: { RegionOne: [{ id: "img-1", version: "24.04", arch: "amd64" }] },
  });
  seed?.(fake);
  return verifyMirror({
    agentsUrl: `${ORIGIN}/juju/tools`,
    imagesUrl: `${ORIGIN}/images`,
    fetch: fake.fetch,
  });
}

describe("formatVerifyReport", () => {
  it("says what Juju picks and that the mirror is fine", async () => {
    const text = formatVerifyReport(await report());
    expect(text).toContain(`agents  ${ORIGIN}/juju/tools`);
    expect(text).toContain(
      "indexes: index2.sjson 404 · index.sjson 404 · index2.json 200 (1 entries) · index.json 404",
    );
    expect(text).toContain("tarballs: 1 checked (");
    expect(text).toContain(
      `✓ Juju 3.6 ubuntu/amd64 [released] → 3.6.12 (${agentTarballPath("3.6.12", "amd64")}, via index2.json)`,
    );
    expect(text).toContain(
      "✓ RegionOne https://keystone.test:5000/v3 ubuntu@24.04 amd64 → img-1 (version 20261123, via index.json)",
    );
    expect(text.trimEnd().endsWith("OK: Juju can use this mirror as checked.")).toBe(true);
  });

  it("lists each problem with its URL and what Juju does", async () => {
    const text = formatVerifyReport(
      await report((fake) =>
        fake.files.delete(`juju/tools/${agentTarballPath("3.6.12", "amd64")}`),
      ),
    );
    expect(text).toContain("1 problem:");
    expect(text).toContain(
      `✗ [agents] ${ORIGIN}/juju/tools/${agentTarballPath("3.6.12", "amd64")}`,
    );
    expect(text).toMatch(
      / {4}tarball .* answered HTTP 404; named by streams\/v1\/com\.ubuntu\.juju-released-agents\.json\n {4}Juju: Juju offers this agent/,
    );
    expect(text).toContain("— TARBALL FAILED");
    expect(text).not.toContain("OK:");
  });
});
