import { describe, expect, it } from "vitest";
import type { KeystoneEndpoint, KeystoneService } from "./keystone-admin.ts";
import { type EndpointsState, planEndpoints } from "./plan-endpoints.ts";

const PUBLIC = "https://mirror.example.com";

function service(id: string, type: string): KeystoneService {
  return { id, type, name: type, enabled: true };
}

function endpoint(
  id: string,
  serviceId: string,
  region: string,
  url: string,
  endpointInterface = "public",
): KeystoneEndpoint {
  return { id, serviceId, region, url, interface: endpointInterface, enabled: true };
}

const EMPTY: EndpointsState = { services: [], endpoints: [], fromCatalog: false };

describe("planEndpoints", () => {
  it("creates both services and a public endpoint per region in an empty catalog", () => {
    const plan = planEndpoints({
      publicUrl: PUBLIC,
      regions: ["RegionOne", "RegionTwo"],
      state: EMPTY,
    });
    expect(plan.changes).toBe(6);
    expect(plan.warnings).toEqual([]);
    expect(plan.actions).toEqual([
      {
        action: "create-service",
        type: "product-streams",
        name: "product-streams",
        description: expect.any(String),
      },
      {
        action: "create-service",
        type: "juju-tools",
        name: "juju-tools",
        description: expect.any(String),
      },
      {
        action: "create-endpoint",
        type: "product-streams",
        serviceId: undefined,
        region: "RegionOne",
        interface: "public",
        url: `${PUBLIC}/images`,
      },
      {
        action: "create-endpoint",
        type: "product-streams",
        serviceId: undefined,
        region: "RegionTwo",
        interface: "public",
        url: `${PUBLIC}/images`,
      },
      {
        action: "create-endpoint",
        type: "juju-tools",
        serviceId: undefined,
        region: "RegionOne",
        interface: "public",
        url: `${PUBLIC}/juju/tools`,
      },
      {
        action: "create-endpoint",
        type: "juju-tools",
        serviceId: undefined,
        region: "RegionTwo",
        interface: "public",
        url: `${PUBLIC}/juju/tools`,
      },
    ]);
  });

  it("reuses existing services, keeps right endpoints (a trailing slash is right) and fixes wrong ones", () => {
    const state: EndpointsState = {
      services: [service("ps", "product-streams"), service("jt", "juju-tools")],
      endpoints: [
        endpoint("e1", "ps", "RegionOne", `${PUBLIC}/images/`),
        endpoint("e2", "jt", "RegionOne", "http://old-mirror/juju/tools"),
      ],
      fromCatalog: false,
    };
    const plan = planEndpoints({ publicUrl: `${PUBLIC}/`, regions: ["RegionOne"], state });
    expect(plan.actions).toEqual([
      {
        action: "keep-endpoint",
        type: "product-streams",
        id: "e1",
        region: "RegionOne",
        interface: "public",
        url: `${PUBLIC}/images`,
      },
      {
        action: "update-endpoint",
        type: "juju-tools",
        id: "e2",
        region: "RegionOne",
        interface: "public",
        from: "http://old-mirror/juju/tools",
        url: `${PUBLIC}/juju/tools`,
      },
    ]);
    expect(plan.changes).toBe(1);
  });

  it("adds internal endpoints only when given an internal URL", () => {
    const plan = planEndpoints({
      publicUrl: PUBLIC,
      internalUrl: "http://10.0.0.5:8080",
      regions: ["RegionOne"],
      state: { services: [service("ps", "product-streams")], endpoints: [], fromCatalog: false },
    });
    expect(plan.actions.filter((action) => action.type === "product-streams")).toEqual([
      {
        action: "create-endpoint",
        type: "product-streams",
        serviceId: "ps",
        region: "RegionOne",
        interface: "public",
        url: `${PUBLIC}/images`,
      },
      {
        action: "create-endpoint",
        type: "product-streams",
        serviceId: "ps",
        region: "RegionOne",
        interface: "internal",
        url: "http://10.0.0.5:8080/images",
      },
    ]);
  });

  it("warns about several services of a type and uses the one with endpoints", () => {
    const state: EndpointsState = {
      services: [service("a", "juju-tools"), service("b", "juju-tools")],
      endpoints: [endpoint("e", "b", "RegionOne", `${PUBLIC}/juju/tools`)],
      fromCatalog: false,
    };
    const plan = planEndpoints({ publicUrl: PUBLIC, regions: ["RegionOne"], state });
    expect(plan.warnings).toEqual([
      expect.stringMatching(/^several services of type juju-tools \(b, a\); streamgate uses b/),
    ]);
    expect(plan.actions).toContainEqual(
      expect.objectContaining({ action: "keep-endpoint", type: "juju-tools", id: "e" }),
    );
  });

  it("names services by type when the state came from the catalog, whose ids are stand-ins", () => {
    const plan = planEndpoints({
      publicUrl: PUBLIC,
      regions: ["RegionTwo"],
      state: {
        services: [service("catalog:product-streams:0", "product-streams")],
        endpoints: [endpoint("", "catalog:product-streams:0", "RegionOne", `${PUBLIC}/images`)],
        fromCatalog: true,
      },
    });
    expect(plan.actions).toContainEqual(
      expect.objectContaining({
        action: "create-endpoint",
        type: "product-streams",
        serviceId: undefined,
        region: "RegionTwo",
      }),
    );
    expect(
      plan.actions.some(
        (action) => action.action === "create-service" && action.type === "product-streams",
      ),
    ).toBe(false);
  });
});
