import { describe, expect, it } from "vitest";
import { KeystoneError } from "./errors.ts";
import { createKeystoneAdmin } from "./keystone-admin.ts";
import { createKeystoneDouble } from "./test-support.ts";

async function login(double: ReturnType<typeof createKeystoneDouble>) {
  const response = await double.fetch("http://keystone.test/v3/auth/tokens", {
    method: "POST",
    body: JSON.stringify({ auth: { identity: { password: { user: { password: "secret" } } } } }),
  });
  return response.headers.get("x-subject-token") ?? "";
}

describe("createKeystoneAdmin", () => {
  it("lists regions, creates a service and an endpoint, lists and updates it", async () => {
    const double = createKeystoneDouble();
    const admin = createKeystoneAdmin({
      identityUrl: "http://keystone.test/v3/",
      token: await login(double),
      fetch: double.fetch,
    });
    expect(await admin.listRegions()).toEqual(["RegionOne", "RegionTwo"]);
    expect(await admin.listServices("juju-tools")).toEqual([]);
    const service = await admin.createService({
      type: "juju-tools",
      name: "juju-tools",
      description: "agents",
    });
    expect(service).toEqual({
      id: expect.any(String),
      type: "juju-tools",
      name: "juju-tools",
      enabled: true,
    });
    const endpoint = await admin.createEndpoint({
      serviceId: service.id,
      interface: "public",
      region: "RegionTwo",
      url: "http://m/juju/tools",
    });
    expect(endpoint).toMatchObject({
      serviceId: service.id,
      region: "RegionTwo",
      url: "http://m/juju/tools",
    });
    expect(await admin.listEndpoints(service.id)).toEqual([endpoint]);
    expect(await admin.updateEndpoint(endpoint.id, "http://n/juju/tools")).toMatchObject({
      id: endpoint.id,
      url: "http://n/juju/tools",
    });
    expect(double.requests).toContain(`PATCH /endpoints/${endpoint.id}`);
    expect(double.requests).toContain("GET /services?type=juju-tools");
  });

  it("says a 403 needs the admin role, and names the request of any other failure", async () => {
    const member = createKeystoneDouble({ admin: false });
    const denied = createKeystoneAdmin({
      identityUrl: "http://keystone.test/v3",
      token: await login(member),
      fetch: member.fetch,
    });
    const refused = await denied.listServices("product-streams").catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(KeystoneError);
    expect(refused).toMatchObject({ status: 403 });
    expect((refused as Error).message).toBe(
      "[streamgate] [keystone] Keystone refused GET /services?type=product-streams (HTTP 403): You are not authorized to perform the requested action.; managing services and endpoints needs credentials with the admin role",
    );
    const double = createKeystoneDouble();
    const admin = createKeystoneAdmin({
      identityUrl: "http://keystone.test/v3",
      token: await login(double),
      fetch: double.fetch,
    });
    await expect(
      admin.createEndpoint({
        serviceId: "nope",
        interface: "public",
        region: "Atlantis",
        url: "http://m",
      }),
    ).rejects.toThrow("Keystone answered HTTP 400 to POST /endpoints: Invalid region Atlantis");
  });
});
