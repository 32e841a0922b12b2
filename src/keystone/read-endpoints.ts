import type { CatalogService } from "../images/keystone.ts";
import { KeystoneError } from "./errors.ts";
import type { KeystoneAdmin, KeystoneEndpoint, KeystoneService } from "./keystone-admin.ts";
import type { EndpointsState } from "./plan-endpoints.ts";
import { STREAMS_SERVICE_TYPES } from "./services.ts";

/** Every region a token's catalog names, sorted. */
export function catalogRegions(catalog: readonly CatalogService[]): string[] {
  const regions = new Set<string>();
  for (const service of catalog) {
    for (const endpoint of service.endpoints) {
      const region = endpoint.region_id ?? endpoint.region;
      if (region !== undefined && region !== "") regions.add(region);
    }
  }
  return [...regions].sort();
}

/** The product-streams and juju-tools services and endpoints a token's catalog shows. */
export function stateFromCatalog(catalog: readonly CatalogService[]): EndpointsState {
  const services: KeystoneService[] = [];
  const endpoints: KeystoneEndpoint[] = [];
  for (const service of catalog) {
    if (!(STREAMS_SERVICE_TYPES as readonly string[]).includes(service.type)) continue;
    // The catalog carries no ids: the type stands in for the service's id.
    const id = `catalog:${service.type}:${services.length}`;
    services.push({ id, type: service.type, name: service.name, enabled: true });
    for (const endpoint of service.endpoints) {
      endpoints.push({
        id: "",
        serviceId: id,
        interface: endpoint.interface,
        region: endpoint.region_id ?? endpoint.region ?? "",
        url: endpoint.url,
        enabled: true,
      });
    }
  }
  return { services, endpoints, fromCatalog: true };
}

/**
 * The services and endpoints of both types, through the catalog API; when Keystone
 * refuses to list them (HTTP 403: no admin role), what the token's catalog shows.
 */
export async function readEndpointsState(
  admin: KeystoneAdmin,
  catalog: readonly CatalogService[],
): Promise<EndpointsState> {
  try {
    const services: KeystoneService[] = [];
    const endpoints: KeystoneEndpoint[] = [];
    for (const type of STREAMS_SERVICE_TYPES) {
      for (const service of await admin.listServices(type)) {
        if (service.type !== type) continue;
        services.push(service);
        endpoints.push(
          ...(await admin.listEndpoints(service.id)).map((endpoint) => ({
            ...endpoint,
            serviceId: endpoint.serviceId || service.id,
          })),
        );
      }
    }
    return { services, endpoints, fromCatalog: false };
  } catch (error) {
    if (error instanceof KeystoneError && error.status === 403) return stateFromCatalog(catalog);
    throw error;
  }
}
