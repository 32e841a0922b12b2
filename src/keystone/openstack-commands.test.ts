import { describe, expect, it } from "vitest";
import { renderOpenStackCommands } from "./openstack-commands.ts";
import { planEndpoints } from "./plan-endpoints.ts";

describe("renderOpenStackCommands", () => {
  it("prints one runnable openstack command per change, quoting what the shell would split", () => {
    const plan = planEndpoints({
      publicUrl: "https://mirror.example.com",
      regions: ["Region One"],
      state: {
        services: [{ id: "jt", type: "juju-tools", name: "juju-tools", enabled: true }],
        endpoints: [
          {
            id: "e9",
            serviceId: "jt",
            region: "Region One",
            interface: "public",
            url: "http://x/",
            enabled: true,
          },
        ],
        fromCatalog: false,
      },
    });
    expect(renderOpenStackCommands(plan)).toEqual([
      "openstack service create --name product-streams --description 'Juju image metadata (simplestreams image-ids) served by streamgate' product-streams",
      "openstack endpoint create --region 'Region One' product-streams public https://mirror.example.com/images",
      "openstack endpoint set --url https://mirror.example.com/juju/tools e9",
    ]);
  });

  it("looks an endpoint's id up when it was read from the catalog, and prints nothing to keep", () => {
    const plan = planEndpoints({
      publicUrl: "https://m.test",
      regions: ["RegionOne"],
      state: {
        services: [
          { id: "catalog:product-streams:0", type: "product-streams", name: "p", enabled: true },
          { id: "catalog:juju-tools:1", type: "juju-tools", name: "j", enabled: true },
        ],
        endpoints: [
          {
            id: "",
            serviceId: "catalog:product-streams:0",
            region: "RegionOne",
            interface: "public",
            url: "https://m.test/images",
            enabled: true,
          },
          {
            id: "",
            serviceId: "catalog:juju-tools:1",
            region: "RegionOne",
            interface: "public",
            url: "https://old.test/juju/tools",
            enabled: true,
          },
        ],
        fromCatalog: true,
      },
    });
    expect(renderOpenStackCommands(plan)).toEqual([
      'openstack endpoint set --url https://m.test/juju/tools "$(openstack endpoint list --service juju-tools --interface public --region RegionOne -f value -c ID)"',
    ]);
  });
});
