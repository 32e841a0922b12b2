import { describe, expect, it } from "vitest";
import { renderJson } from "../core/index.ts";
import { clearsign } from "../signing/index.ts";
import { generateTestKey } from "../signing/test-support.ts";
import { createUpstream } from "./create-upstream.ts";
import { UpstreamError } from "./errors.ts";
import type { UpstreamTransport } from "./transport.ts";

const INDEX = {
  format: "index:1.0",
  updated: "Mon, 23 Nov 2026 10:00:00 +0000",
  index: {
    "com.ubuntu.juju:released:tools": {
      datatype: "content-download",
      format: "products:1.0",
      path: "streams/v1/com.ubuntu.juju-released-tools.sjson",
      products: ["com.ubuntu.juju:20.04:amd64"],
    },
  },
};

function transportOf(files: Record<string, string>): UpstreamTransport {
  return {
    async read(url) {
      const text = files[url];
      if (text === undefined)
        throw new UpstreamError(`not found: ${url}`, { url, reason: "not-found" });
      return new TextEncoder().encode(text);
    },
    async open() {
      throw new Error("not used");
    },
  };
}

describe("upstream.readIndexAt", () => {
  it("reads and verifies the index at exactly the path asked for", async () => {
    const key = await generateTestKey();
    const base = "https://streams.example/juju/tools";
    const upstream = createUpstream({
      base,
      keys: key.publicKey,
      transport: transportOf({
        [`${base}/streams/v1/index.sjson`]: await clearsign(renderJson(INDEX), key.privateKey),
      }),
    });
    const index = await upstream.readIndexAt("streams/v1/index.sjson");
    expect(index).toMatchObject({ path: "streams/v1/index.sjson", signed: true });
    expect(Object.keys(index.document.index)).toEqual(["com.ubuntu.juju:released:tools"]);
  });

  it("refuses an unsigned index unless unsigned metadata is allowed, and a bad signature always", async () => {
    const [key, other] = await Promise.all([generateTestKey("a"), generateTestKey("b")]);
    const base = "https://streams.example/juju/tools";
    const files = {
      [`${base}/streams/v1/index.json`]: renderJson(INDEX),
      [`${base}/streams/v1/index.sjson`]: await clearsign(renderJson(INDEX), other.privateKey),
    };
    const strict = createUpstream({ base, keys: key.publicKey, transport: transportOf(files) });
    await expect(strict.readIndexAt("streams/v1/index.json")).rejects.toMatchObject({
      reason: "signature",
    });
    await expect(strict.readIndexAt("streams/v1/index.sjson")).rejects.toMatchObject({
      reason: "signature",
    });
    const lenient = createUpstream({
      base,
      keys: key.publicKey,
      allowUnsigned: true,
      transport: transportOf(files),
    });
    expect((await lenient.readIndexAt("streams/v1/index.json")).signed).toBe(false);
    await expect(lenient.readIndexAt("../index.json")).rejects.toMatchObject({ reason: "path" });
  });
});
