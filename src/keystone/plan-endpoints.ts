import type { KeystoneEndpoint, KeystoneService } from "./keystone-admin.ts";
import {
  STREAMS_SERVICE_TYPES,
  type StreamsServiceType,
  serviceDescription,
  serviceUrl,
} from "./services.ts";

/** The services and endpoints of the two types as registered now. */
export interface EndpointsState {
  services: KeystoneService[];
  endpoints: KeystoneEndpoint[];
  /**
   * Read from the token's catalog because the API refused to list (no admin role): ids
   * are unknown (empty) and disabled endpoints are not seen.
   */
  fromCatalog: boolean;
}

/** `public` is what OpenStack clients use by default; `internal` only when asked for. */
export type EndpointInterfaceName = "public" | "internal";

export type EndpointAction =
  | {
      action: "create-service";
      type: StreamsServiceType;
      name: string;
      description: string;
    }
  | {
      action: "create-endpoint";
      type: StreamsServiceType;
      /** The service's id; `undefined` when this plan creates it or its id is unknown. */
      serviceId: string | undefined;
      region: string;
      interface: EndpointInterfaceName;
      url: string;
    }
  | {
      action: "update-endpoint";
      type: StreamsServiceType;
      /** Empty when the state came from the catalog. */
      id: string;
      region: string;
      interface: EndpointInterfaceName;
      from: string;
      url: string;
    }
  | {
      action: "keep-endpoint";
      type: StreamsServiceType;
      id: string;
      region: string;
      interface: EndpointInterfaceName;
      url: string;
    };

export interface EndpointsPlan {
  /** Services first, then endpoints by type, region and interface. */
  actions: EndpointAction[];
  /** Actions that change the catalog. */
  changes: number;
  warnings: string[];
}

export interface PlanEndpointsOptions {
  /** streamgate's public root URL (`--public-url`). */
  publicUrl: string;
  /** Root URL for `internal` endpoints (`--internal-url`); absent: public endpoints only. */
  internalUrl?: string;
  regions: readonly string[];
  state: EndpointsState;
}

function sameUrl(a: string, b: string): boolean {
  return a.replace(/\/+$/, "") === b.replace(/\/+$/, "");
}

function chooseService(
  type: StreamsServiceType,
  state: EndpointsState,
  warnings: string[],
): KeystoneService | undefined {
  const candidates = state.services.filter((service) => service.type === type);
  const endpointsOf = (service: KeystoneService) =>
    state.endpoints.filter((endpoint) => endpoint.serviceId === service.id).length;
  candidates.sort(
    (a, b) =>
      Number(b.enabled) - Number(a.enabled) ||
      endpointsOf(b) - endpointsOf(a) ||
      (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const [chosen, ...others] = candidates;
  const label = (service: KeystoneService) =>
    state.fromCatalog ? (service.name ?? service.type) : service.id;
  if (chosen !== undefined && others.length > 0) {
    warnings.push(
      `several services of type ${type} (${candidates.map(label).join(", ")}); streamgate uses ${label(chosen)} — clients may read any of them, so remove the others (openstack service delete ID)`,
    );
  }
  return chosen;
}

/**
 * What to register so that Juju's OpenStack provider finds streamgate in the catalog: a
 * `product-streams` service with an endpoint at `<public-url>/images` and a `juju-tools`
 * service at `<public-url>/juju/tools`, in every region asked for — reusing the services
 * that exist, creating missing endpoints and fixing wrong URLs (a trailing `/` is not
 * wrong). Pure: the plan is printed as `openstack` commands or applied.
 */
export function planEndpoints(options: PlanEndpointsOptions): EndpointsPlan {
  const { state } = options;
  const warnings: string[] = [];
  const actions: EndpointAction[] = [];
  const endpointActions: EndpointAction[] = [];
  const interfaces: [EndpointInterfaceName, string][] = [["public", options.publicUrl]];
  if (options.internalUrl !== undefined) interfaces.push(["internal", options.internalUrl]);
  for (const type of STREAMS_SERVICE_TYPES) {
    const service = chooseService(type, state, warnings);
    if (service === undefined) {
      actions.push({
        action: "create-service",
        type,
        name: type,
        description: serviceDescription(type),
      });
    }
    const own = state.endpoints.filter(
      (endpoint) => service !== undefined && endpoint.serviceId === service.id,
    );
    for (const region of options.regions) {
      for (const [endpointInterface, rootUrl] of interfaces) {
        const url = serviceUrl(rootUrl, type);
        const existing = own.filter(
          (endpoint) => endpoint.region === region && endpoint.interface === endpointInterface,
        );
        if (existing.length === 0) {
          endpointActions.push({
            action: "create-endpoint",
            type,
            // Catalog ids are stand-ins: the command names the service by its type.
            serviceId: state.fromCatalog ? undefined : service?.id,
            region,
            interface: endpointInterface,
            url,
          });
          continue;
        }
        for (const endpoint of existing) {
          endpointActions.push(
            sameUrl(endpoint.url, url)
              ? {
                  action: "keep-endpoint",
                  type,
                  id: endpoint.id,
                  region,
                  interface: endpointInterface,
                  url,
                }
              : {
                  action: "update-endpoint",
                  type,
                  id: endpoint.id,
                  region,
                  interface: endpointInterface,
                  from: endpoint.url,
                  url,
                },
          );
        }
      }
    }
  }
  actions.push(...endpointActions);
  return {
    actions,
    changes: actions.filter((action) => action.action !== "keep-endpoint").length,
    warnings,
  };
}
