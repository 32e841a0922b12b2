import { describe, expect, it } from "vitest";
import { applyEndpointsPlan } from "./apply-endpoints.ts";
import { KeystoneError } from "./errors.ts";
import { createKeystoneAdmin } from "./keystone-admin.ts";
import { planEndpoints } from "./plan-endpoints.ts";
import { readEndpointsState } from "./read-endpoints.ts";
import { createKeystoneDouble } from "./test-support.ts";

const PUBLIC = "https://mirror.example.com";

async function connect(double: ReturnType<typeof createKeystoneDouble>) {
  const response = await double.fetch("http://keystone.test/v3/auth/tokens", {
    method: "POST",
    body: JSON.stringify({ auth: { identity: { password: { user: { password: "secret" } } } } }),
  });
  const token = response.headers.get("x-subject-token") ?? "";
  const { token: body } = (await response.json()) as { token: { catalog: never[] } };
  return {
    admin: createKeystoneAdmin({
      identityUrl: "http://keystone.test/v3",
      token,
      fetch: double.fetch,
    }),
    catalog: body.catalog,
  };
}

describe("applyEndpointsPlan", () => {
  it("registers both services in every region, and a second plan has nothing left to do", async () => {
    const double = createKeystoneDouble();
    const { admin, catalog } = await connect(double);
    const regions = ["RegionOne", "RegionTwo"];
    const first = planEndpoints({
      publicUrl: PUBLIC,
      regions,
      state: await readEndpointsState(admin, catalog),
    });
    const applied = await applyEndpointsPlan(admin, first);
    expect(applied.map((action) => action.action)).toEqual([
      "create-service",
      "create-service",
      "create-endpoint",
      "create-endpoint",
      "create-endpoint",
      "create-endpoint",
    ]);
    const streams = double.services.find((service) => service.type === "product-streams");
    expect(
      double.endpoints
        .filter((endpoint) => endpoint.service_id === streams?.id)
        .map((e) => [e.region_id, e.interface, e.url]),
    ).toEqual([
      ["RegionOne", "public", `${PUBLIC}/images`],
      ["RegionTwo", "public", `${PUBLIC}/images`],
    ]);
    const second = planEndpoints({
      publicUrl: PUBLIC,
      regions,
      state: await readEndpointsState(admin, catalog),
    });
    expect(second.changes).toBe(0);
    expect(await applyEndpointsPlan(admin, second)).toEqual([]);
  });

  it("fixes an endpoint registered with a wrong URL, in place", async () => {
    const double = createKeystoneDouble({ regions: ["RegionOne"] });
    const tools = double.addService("juju-tools");
    const wrong = double.addEndpoint(tools, "RegionOne", "public", "http://dead.test/juju/tools");
    const { admin, catalog } = await connect(double);
    const plan = planEndpoints({
      publicUrl: PUBLIC,
      regions: ["RegionOne"],
      state: await readEndpointsState(admin, catalog),
    });
    const applied = await applyEndpointsPlan(admin, plan);
    expect(applied).toContainEqual(
      expect.objectContaining({
        action: "update-endpoint",
        id: wrong.id,
        url: `${PUBLIC}/juju/tools`,
      }),
    );
    expect(double.services.filter((service) => service.type === "juju-tools")).toHaveLength(1);
    expect(wrong.url).toBe(`${PUBLIC}/juju/tools`);
  });

  it("refuses to change endpoints whose ids it could not read", async () => {
    const plan = planEndpoints({
      publicUrl: PUBLIC,
      regions: ["RegionOne"],
      state: {
        services: [{ id: "catalog:juju-tools:0", type: "juju-tools", name: "j", enabled: true }],
        endpoints: [
          {
            id: "",
            serviceId: "catalog:juju-tools:0",
            region: "RegionOne",
            interface: "public",
            url: "http://old",
            enabled: true,
          },
        ],
        fromCatalog: true,
      },
    });
    const { admin } = await connect(createKeystoneDouble());
    await expect(applyEndpointsPlan(admin, plan)).rejects.toThrow(KeystoneError);
  });
});

describe("readEndpointsState", () => {
  it("falls back to the token's catalog when Keystone refuses to list (no admin role)", async () => {
    const double = createKeystoneDouble({ admin: false });
    const streams = double.addService("product-streams");
    double.addEndpoint(streams, "RegionOne", "public", `${PUBLIC}/images`);
    const { admin, catalog } = await connect(double);
    const state = await readEndpointsState(admin, catalog);
    expect(state.fromCatalog).toBe(true);
    expect(state.endpoints).toEqual([
      expect.objectContaining({
        id: "",
        region: "RegionOne",
        url: `${PUBLIC}/images`,
        serviceId: state.services[0]?.id,
      }),
    ]);
  });
});
