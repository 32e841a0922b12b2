/**
 * `streamgate keystone endpoints` (the real bin) against a real Keystone (started by
 * test/system/openstack-services.ts, regions RegionOne and RegionTwo): `--apply` registers
 * the product-streams and juju-tools services and their endpoints, a second `--apply`
 * changes nothing, and `--check` reads every registered endpoint the way Juju does — a
 * live streamgate server on loopback passes, a dead URL fails loudly with exit 1.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../cli/run-cli.ts";
import {
  buildSyncedMirror,
  copyStore,
  type Served,
  type SyncedMirror,
  serveWithFaults,
} from "../verify/support.ts";
import { type OpenStackServices, startOpenStack } from "./openstack-services.ts";

let openstack: OpenStackServices;
let mirror: SyncedMirror;
let streamgate: Served;

interface CatalogEndpoint {
  interface: string;
  region_id: string;
  url: string;
}

beforeAll(async () => {
  [openstack, mirror] = await Promise.all([startOpenStack(), buildSyncedMirror()]);
  streamgate = await serveWithFaults((await copyStore(mirror, "keystone")).store);
});

afterAll(async () => {
  await streamgate?.close();
  await mirror?.cleanup();
  await openstack?.stop();
});

function env(): NodeJS.ProcessEnv {
  const { username, password, projectName, userDomainName, projectDomainName } =
    openstack.adminCredentials;
  return {
    OS_CLOUD: "",
    OS_AUTH_URL: openstack.authUrl,
    OS_USERNAME: username,
    OS_PASSWORD: password,
    OS_PROJECT_NAME: projectName,
    OS_USER_DOMAIN_NAME: userDomainName,
    OS_PROJECT_DOMAIN_NAME: projectDomainName,
  };
}

function endpoints(...args: string[]) {
  return runCli(["keystone", "endpoints", ...args], { cwd: mirror.dir, env: env() });
}

async function keystone(path: string): Promise<Record<string, unknown>> {
  const response = await fetch(`${openstack.authUrl}${path}`, {
    headers: { "x-auth-token": await openstack.adminToken() },
  });
  expect(response.status, path).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

/** Every endpoint of a service type, as `interface region url`, sorted. */
async function registered(type: string): Promise<string[]> {
  const { services } = (await keystone(`/services?type=${type}`)) as { services: { id: string }[] };
  const lines: string[] = [];
  for (const service of services) {
    const { endpoints: list } = (await keystone(`/endpoints?service_id=${service.id}`)) as {
      endpoints: CatalogEndpoint[];
    };
    lines.push(
      ...list.map((endpoint) => `${endpoint.interface} ${endpoint.region_id} ${endpoint.url}`),
    );
  }
  return lines.sort();
}

async function serviceCount(type: string): Promise<number> {
  const { services } = (await keystone(`/services?type=${type}`)) as { services: unknown[] };
  return services.length;
}

describe("streamgate keystone endpoints against a real Keystone", () => {
  it("prints the openstack commands and changes nothing without --apply", async () => {
    const { code, stdout, stderr } = await endpoints("--public-url", streamgate.origin);
    expect(stderr).toContain("6 change(s) to make");
    expect(code).toBe(0);
    expect(stdout).toContain(
      `openstack endpoint create --region RegionTwo juju-tools public ${streamgate.origin}/juju/tools`,
    );
    expect(await serviceCount("product-streams")).toBe(0);
  });

  it("registers product-streams and juju-tools in both regions with --apply", async () => {
    const { code, stderr } = await endpoints("--public-url", streamgate.origin, "--apply");
    expect(stderr).toContain("applied 6 change(s) in RegionOne, RegionTwo");
    expect(code).toBe(0);
    expect(await registered("product-streams")).toEqual([
      `public RegionOne ${streamgate.origin}/images`,
      `public RegionTwo ${streamgate.origin}/images`,
    ]);
    expect(await registered("juju-tools")).toEqual([
      `public RegionOne ${streamgate.origin}/juju/tools`,
      `public RegionTwo ${streamgate.origin}/juju/tools`,
    ]);
  });

  it("changes nothing on a second --apply", async () => {
    const { code, stdout, stderr } = await endpoints(
      "--public-url",
      `${streamgate.origin}/`,
      "--apply",
      "--json",
    );
    expect(code).toBe(0);
    expect(stderr).toContain("nothing to change");
    expect(JSON.parse(stdout)).toMatchObject({ applied: [], plan: { changes: 0 } });
    expect(await serviceCount("product-streams")).toBe(1);
    expect(await serviceCount("juju-tools")).toBe(1);
    expect(await registered("juju-tools")).toHaveLength(2);
  });

  it("passes --check when every registered endpoint is the live streamgate server", async () => {
    const { code, stderr } = await endpoints("--public-url", streamgate.origin, "--check");
    expect(stderr.match(/^ok {12}/gm)).toHaveLength(4);
    expect(stderr).toContain(
      `ok            product-streams public RegionOne ${streamgate.origin}/images (answers streams/v1/index.json)`,
    );
    expect(stderr).toContain(
      `ok            juju-tools public RegionTwo ${streamgate.origin}/juju/tools (answers streams/v1/index2.json)`,
    );
    expect(code).toBe(0);
  });

  it("fails --check loudly, exit 1, when an endpoint is dead — and --apply fixes it", async () => {
    const dead = "http://127.0.0.1:9";
    const moved = await endpoints("--public-url", dead, "--region", "RegionTwo", "--apply");
    expect(moved.code).toBe(0);
    expect(moved.stderr).toContain("fixed endpoint juju-tools");

    const check = await endpoints("--public-url", streamgate.origin, "--check");
    expect(check.code).toBe(1);
    expect(check.stderr).toContain(`DEAD ENDPOINT juju-tools public RegionTwo ${dead}/juju/tools`);
    expect(check.stderr).toContain(`DEAD ENDPOINT product-streams public RegionTwo ${dead}/images`);
    expect(check.stderr).toContain("a dead one aborts bootstrap");
    expect(check.stderr).toMatch(
      /streamgate: 2 registered endpoints of 4 do not answer with an index/,
    );
    // Without --apply the fix is printed as commands naming the endpoint ids.
    expect(check.stdout).toMatch(
      new RegExp(
        `^openstack endpoint set --url ${streamgate.origin}/juju/tools [0-9a-f]{32}$`,
        "m",
      ),
    );

    const fixed = await endpoints("--public-url", streamgate.origin, "--apply", "--check");
    expect(fixed.stderr).toContain("applied 2 change(s)");
    expect(fixed.code).toBe(0);
    expect(await registered("product-streams")).toEqual([
      `public RegionOne ${streamgate.origin}/images`,
      `public RegionTwo ${streamgate.origin}/images`,
    ]);
  });
});
