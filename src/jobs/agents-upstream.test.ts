import { describe, expect, it } from "vitest";
import { openAgentsUpstream } from "./agents-upstream.ts";

const ARMORED =
  "-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot really a key\n-----END PGP PUBLIC KEY BLOCK-----\n";

function config(upstream: string, upstreamKey: string) {
  return { upstream, upstreamKey, allowUnsignedUpstream: false };
}

describe("openAgentsUpstream", () => {
  it("reads an http(s) upstream with the built-in key on any runtime", async () => {
    const upstream = await openAgentsUpstream(
      config("https://streams.example/juju/tools/", "builtin"),
    );
    expect(upstream.url).toBe("https://streams.example/juju/tools");
  });

  it("takes an armored key written inline, without reading a file", async () => {
    let read = 0;
    await openAgentsUpstream(config("https://streams.example/juju/tools", ARMORED), {
      readKeyFile: async () => {
        read++;
        return "";
      },
    });
    expect(read).toBe(0);
  });

  it("reads a key file through the runtime, and refuses one without it", async () => {
    const paths: string[] = [];
    await openAgentsUpstream(config("https://streams.example/juju/tools", "./keys/up.asc"), {
      readKeyFile: async (path) => {
        paths.push(path);
        return ARMORED;
      },
    });
    expect(paths).toEqual(["./keys/up.asc"]);
    await expect(
      openAgentsUpstream(config("https://streams.example/juju/tools", "./keys/up.asc")),
    ).rejects.toThrow(/key file, which this runtime cannot read/);
  });

  it("refuses a file:// upstream without a file transport", async () => {
    await expect(
      openAgentsUpstream(config("file:///srv/mirror/juju/tools", "builtin")),
    ).rejects.toThrow(/file:\/\/ tree, which this runtime cannot read/);
  });
});
