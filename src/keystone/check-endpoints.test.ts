import { describe, expect, it } from "vitest";
import { addAgentTree, addImageTree, createFakeMirror, ORIGIN } from "../verify/test-support.ts";
import { checkEndpoints } from "./check-endpoints.ts";

async function mirror() {
  const fake = createFakeMirror();
  await addAgentTree(fake);
  await addImageTree(fake);
  return fake;
}

describe("checkEndpoints", () => {
  it("accepts endpoints that answer Juju's unsigned index read with the right data", async () => {
    const fake = await mirror();
    const checks = await checkEndpoints(
      [
        {
          type: "product-streams",
          region: "RegionOne",
          interface: "public",
          url: `${ORIGIN}/images`,
        },
        {
          type: "juju-tools",
          region: "RegionOne",
          interface: "public",
          url: `${ORIGIN}/juju/tools/`,
        },
      ],
      { fetch: fake.fetch },
    );
    expect(checks.map((check) => [check.type, check.ok, check.index])).toEqual([
      ["product-streams", true, "streams/v1/index.json"],
      ["juju-tools", true, "streams/v1/index2.json"],
    ]);
  });

  it("finds an endpoint that is unreachable, fails, serves nothing or serves the wrong tree", async () => {
    const fake = await mirror();
    fake.files.set("broken/streams/v1/index2.json", () => new Response("", { status: 502 }));
    const checks = await checkEndpoints(
      [
        {
          type: "juju-tools",
          region: "R",
          interface: "public",
          url: "http://unreachable.test/juju/tools",
        },
        { type: "juju-tools", region: "R", interface: "public", url: `${ORIGIN}/broken` },
        { type: "juju-tools", region: "R", interface: "public", url: `${ORIGIN}/nothing` },
        { type: "product-streams", region: "R", interface: "public", url: `${ORIGIN}/juju/tools` },
      ],
      { fetch: fake.fetch },
    );
    expect(checks.map((check) => check.ok)).toEqual([false, false, false, false]);
    expect(checks[0]?.reason).toContain("streams/v1/index2.json no answer: fetch failed");
    expect(checks[0]?.juju).toContain("bootstrap fails");
    expect(checks[1]?.reason).toBe("streams/v1/index2.json answered HTTP 502");
    expect(checks[2]?.reason).toContain("both answer 404");
    expect(checks[3]?.reason).toBe(
      'streams/v1/index2.json has no "image-ids" data: is this the product-streams URL of the mirror?',
    );
  });

  it("reads each URL once however many regions register it, and gives up on a silent one", async () => {
    const fake = await mirror();
    const endpoints = ["RegionOne", "RegionTwo", "RegionThree"].map((region) => ({
      type: "product-streams" as const,
      region,
      interface: "public",
      url: `${ORIGIN}/images`,
    }));
    await checkEndpoints(endpoints, { fetch: fake.fetch });
    expect(
      fake.requested.filter((request) => request.path === "images/streams/v1/index.json"),
    ).toHaveLength(1);
    const silent = ((_input: unknown, init?: RequestInit) =>
      new Promise((_resolve, reject) => {
        init?.signal?.addEventListener("abort", () => reject(init.signal?.reason));
      })) as typeof fetch;
    const [check] = await checkEndpoints([endpoints[0] as (typeof endpoints)[number]], {
      fetch: silent,
      timeoutMs: 20,
    });
    expect(check).toMatchObject({ ok: false, reason: expect.stringContaining("no answer") });
  });
});
