import { describe, expect, it } from "vitest";
import { createUpstream } from "./create-upstream.ts";
import { UpstreamError } from "./errors.ts";
import type { UpstreamTransport } from "./transport.ts";

function recordingTransport(): { transport: UpstreamTransport; urls: string[] } {
  const urls: string[] = [];
  const transport: UpstreamTransport = {
    async read(url) {
      urls.push(url);
      return new TextEncoder().encode("raw bytes");
    },
    async open(url) {
      urls.push(url);
      return { url, body: new Response("tgz").body as ReadableStream<Uint8Array>, size: 3 };
    },
  };
  return { transport, urls };
}

describe("createUpstream", () => {
  it("validates the base when created", () => {
    expect(() => createUpstream({ base: "streams.canonical.com/juju/tools" })).toThrow(TypeError);
  });

  it("joins every path to the normalised base and reads through its transport", async () => {
    const { transport, urls } = recordingTransport();
    const upstream = createUpstream({ base: "https://bot:pw@mirror/juju/tools/", transport });
    expect(upstream.url).toBe("https://bot:***@mirror/juju/tools");
    expect(new TextDecoder().decode(await upstream.fetchRaw("streams/v1/index2.json"))).toBe(
      "raw bytes",
    );
    const object = await upstream.openObject("agent/3.6.12/juju-3.6.12-linux-amd64.tgz");
    expect(object.size).toBe(3);
    expect(urls).toEqual([
      "https://bot:pw@mirror/juju/tools/streams/v1/index2.json",
      "https://bot:pw@mirror/juju/tools/agent/3.6.12/juju-3.6.12-linux-amd64.tgz",
    ]);
  });

  it("refuses unsigned product files unless created with allowUnsigned", async () => {
    const { transport, urls } = recordingTransport();
    const strict = createUpstream({ base: "https://mirror/juju/tools", transport });
    await expect(strict.readProducts("streams/v1/x.json")).rejects.toMatchObject({
      reason: "signature",
    });
    expect(urls).toEqual([]);
    const lenient = createUpstream({
      base: "https://mirror/juju/tools",
      transport,
      allowUnsigned: true,
    });
    const error = await lenient
      .readProducts("streams/v1/x.json")
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ reason: "parse" });
    expect(urls).toEqual(["https://mirror/juju/tools/streams/v1/x.json"]);
  });

  it("fails on an unreadable trusted key as a configuration error, not an upstream one", async () => {
    const { transport } = recordingTransport();
    const upstream = createUpstream({
      base: "https://mirror/juju/tools",
      transport,
      keys: "not a key",
    });
    const error = await upstream.readIndex().catch((caught: unknown) => caught);
    expect(error).not.toBeInstanceOf(UpstreamError);
    expect((error as Error).name).toBe("UnusableKeyError");
  });
});
