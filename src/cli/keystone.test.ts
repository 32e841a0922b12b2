import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeystoneDouble, type KeystoneDouble } from "../keystone/test-support.ts";
import { addAgentTree, addImageTree, createFakeMirror } from "../verify/test-support.ts";
import { type KeystoneIo, runKeystoneEndpoints } from "./keystone.ts";
import { UsageError } from "./usage-error.ts";

type Server = ReturnType<typeof serve>;
const servers: Server[] = [];

async function listen(
  handler: (request: Request) => Response | Promise<Response>,
): Promise<string> {
  const server = await new Promise<Server>((resolve, reject) => {
    const listening = serve({ fetch: handler, hostname: "127.0.0.1", port: 0 }, () =>
      resolve(listening),
    );
    listening.once("error", reject);
  });
  servers.push(server);
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

let keystone: KeystoneDouble;
let keystoneUrl: string;
let mirrorUrl: string;

beforeAll(async () => {
  keystone = createKeystoneDouble();
  keystoneUrl = await listen((request) => keystone.fetch(request));
  const mirror = createFakeMirror();
  await addAgentTree(mirror);
  await addImageTree(mirror);
  mirrorUrl = await listen((request) => {
    const { pathname } = new URL(request.url);
    return mirror.fetch(`http://mirror.test${pathname}`);
  });
});

afterAll(async () => {
  for (const server of servers) {
    server.close();
    if ("closeAllConnections" in server) server.closeAllConnections();
  }
});

function io(): KeystoneIo & { out: string; err: string } {
  const captured = {
    out: "",
    err: "",
    env: {
      OS_AUTH_URL: `${keystoneUrl}/v3`,
      OS_USERNAME: "admin",
      OS_PASSWORD: "secret",
      OS_PROJECT_NAME: "admin",
    },
    cwd: process.cwd(),
    stdout: (text: string) => {
      captured.out += text;
    },
    stderr: (text: string) => {
      captured.err += text;
    },
  };
  return captured;
}

describe("runKeystoneEndpoints", () => {
  it("prints the openstack commands for every region without changing the catalog", async () => {
    const out = io();
    const before = keystone.endpoints.length;
    await runKeystoneEndpoints({ publicUrl: mirrorUrl }, out);
    expect(out.out.trimEnd().split("\n")).toEqual([
      expect.stringMatching(/^openstack service create --name product-streams /),
      expect.stringMatching(/^openstack service create --name juju-tools /),
      `openstack endpoint create --region RegionOne product-streams public ${mirrorUrl}/images`,
      `openstack endpoint create --region RegionTwo product-streams public ${mirrorUrl}/images`,
      `openstack endpoint create --region RegionOne juju-tools public ${mirrorUrl}/juju/tools`,
      `openstack endpoint create --region RegionTwo juju-tools public ${mirrorUrl}/juju/tools`,
    ]);
    expect(out.err).toContain("6 change(s) to make");
    expect(keystone.endpoints.length).toBe(before);
  });

  it("applies, then finds nothing to change, and checks every registered endpoint", async () => {
    const first = io();
    await runKeystoneEndpoints({ publicUrl: mirrorUrl, apply: true, check: true }, first);
    expect(first.err).toContain("applied 6 change(s) in RegionOne, RegionTwo");
    expect(first.err.match(/^ok {12}/gm)).toHaveLength(4);
    const second = io();
    await runKeystoneEndpoints({ publicUrl: mirrorUrl, apply: true, json: true }, second);
    expect(second.err).toContain("nothing to change");
    expect(JSON.parse(second.out)).toMatchObject({ applied: [], plan: { changes: 0 } });
  });

  it("exits 1 loudly when a registered endpoint is dead", async () => {
    const tools = keystone.services.find((service) => service.type === "juju-tools");
    if (tools === undefined) throw new Error("no juju-tools service");
    keystone.addEndpoint(tools, "RegionTwo", "internal", "http://127.0.0.1:9/juju/tools");
    const out = io();
    await expect(
      runKeystoneEndpoints({ publicUrl: mirrorUrl, region: ["RegionTwo"], check: true }, out),
    ).rejects.toThrow(
      "1 registered endpoint of 5 do not answer with an index; Juju reads them from the catalog, and a dead one aborts bootstrap",
    );
    expect(out.err).toMatch(
      /^DEAD ENDPOINT juju-tools internal RegionTwo http:\/\/127\.0\.0\.1:9\/juju\/tools\n {2}streams\/v1\/index2\.json no answer/m,
    );
    expect(out.err).toContain("aborts the lookup, and bootstrap fails");
  });

  it("refuses a region the cloud does not have, and bad URLs, as usage errors", async () => {
    await expect(
      runKeystoneEndpoints({ publicUrl: mirrorUrl, region: ["Atlantis"] }, io()),
    ).rejects.toThrow(
      /--region Atlantis: not a region of this cloud \(regions: RegionOne, RegionTwo\)/,
    );
    await expect(
      runKeystoneEndpoints({ publicUrl: "mirror.example.com" }, io()),
    ).rejects.toBeInstanceOf(UsageError);
    const noCredentials = { ...io(), env: {} };
    await expect(runKeystoneEndpoints({ publicUrl: mirrorUrl }, noCredentials)).rejects.toThrow(
      /OS_AUTH_URL is not set/,
    );
  });

  it("fails when Keystone refuses the credentials", async () => {
    const wrong = io();
    wrong.env = { ...wrong.env, OS_PASSWORD: "wrong" };
    await expect(runKeystoneEndpoints({ publicUrl: mirrorUrl }, wrong)).rejects.toThrow(
      /Keystone rejected the credentials for user admin/,
    );
  });
});
