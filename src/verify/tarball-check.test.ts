import { describe, expect, it } from "vitest";
import { createSha256 } from "../store/incremental-sha256.ts";
import { checkTarball } from "./tarball-check.ts";
import { sha256Hex } from "./test-support.ts";

const BYTES = new TextEncoder().encode("a juju agent\n");

async function claim() {
  return { path: "agent/3.6.12/a.tgz", size: BYTES.byteLength, sha256: await sha256Hex(BYTES) };
}

function answering(response: () => Response): typeof fetch {
  return (async () => response()) as typeof fetch;
}

describe("checkTarball", () => {
  it("accepts a tarball that is what its item claims, with the hash it is given", async () => {
    let hashes = 0;
    const result = await checkTarball(
      answering(() => new Response(BYTES)),
      "http://m.test/juju/tools",
      await claim(),
      () => {
        hashes++;
        return createSha256();
      },
    );
    expect(result).toEqual({
      ok: true,
      path: "agent/3.6.12/a.tgz",
      url: "http://m.test/juju/tools/agent/3.6.12/a.tgz",
      size: BYTES.byteLength,
      sha256: (await claim()).sha256,
    });
    expect(hashes).toBe(1);
  });

  it.each([
    {
      what: "a 404",
      response: () => new Response("", { status: 404 }),
      reason: "answered HTTP 404",
    },
    {
      what: "a redirect",
      response: () => new Response(null, { status: 307, headers: { location: "/b.tgz" } }),
      reason:
        "answered HTTP 307, a redirect to /b.tgz; the bootstrap machine's curl -sSf does not follow redirects",
    },
    {
      what: "Content-Encoding",
      response: () => new Response(BYTES, { headers: { "content-encoding": "br" } }),
      reason: "is sent with Content-Encoding: br",
    },
    {
      what: "other bytes",
      response: () => new Response("tampered"),
      reason: "has 8 bytes, sha256",
    },
  ])("refuses $what", async ({ response, reason }) => {
    const result = await checkTarball(answering(response), "http://m.test", await claim());
    expect(result.ok).toBe(false);
    expect(!result.ok && result.reason).toContain(`tarball agent/3.6.12/a.tgz ${reason}`);
  });

  it("accepts Content-Encoding: identity", async () => {
    const result = await checkTarball(
      answering(() => new Response(BYTES, { headers: { "content-encoding": "identity" } })),
      "http://m.test",
      await claim(),
    );
    expect(result.ok).toBe(true);
  });

  it("reports a download that cannot start", async () => {
    const failing = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    const result = await checkTarball(failing, "http://m.test", await claim());
    expect(result).toMatchObject({
      ok: false,
      status: 0,
      reason: expect.stringContaining("cannot be downloaded: fetch failed"),
    });
  });
});
