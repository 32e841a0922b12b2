import { KeystoneError } from "./errors.ts";
import type { KeystoneAdmin } from "./keystone-admin.ts";
import type { EndpointAction, EndpointsPlan } from "./plan-endpoints.ts";
import type { StreamsServiceType } from "./services.ts";

/** A change made, with the id Keystone gave or kept. */
export interface AppliedAction {
  action: EndpointAction["action"];
  type: StreamsServiceType;
  id: string;
  region?: string;
  interface?: string;
  url?: string;
}

/**
 * Makes the plan's changes through the Keystone API: services first (their new ids are
 * used for the endpoints), then endpoints. Stops at the first failure; what was done
 * stays done, and a second run plans only what is left (the plan is idempotent).
 *
 * @throws {KeystoneError} naming the request that failed.
 */
export async function applyEndpointsPlan(
  admin: KeystoneAdmin,
  plan: EndpointsPlan,
): Promise<AppliedAction[]> {
  const applied: AppliedAction[] = [];
  const created = new Map<StreamsServiceType, string>();
  for (const action of plan.actions) {
    switch (action.action) {
      case "create-service": {
        const service = await admin.createService(action);
        created.set(action.type, service.id);
        applied.push({ action: action.action, type: action.type, id: service.id });
        break;
      }
      case "create-endpoint": {
        const serviceId = action.serviceId ?? created.get(action.type);
        if (serviceId === undefined) {
          throw new KeystoneError(
            `the ${action.type} service's id is unknown (it was read from the catalog); --apply needs credentials that may list services`,
          );
        }
        const endpoint = await admin.createEndpoint({ ...action, serviceId });
        applied.push({
          action: action.action,
          type: action.type,
          id: endpoint.id,
          region: action.region,
          interface: action.interface,
          url: action.url,
        });
        break;
      }
      case "update-endpoint": {
        if (action.id === "") {
          throw new KeystoneError(
            `the ${action.type} ${action.interface} endpoint in ${action.region} was read from the catalog and has no id; --apply needs credentials that may list endpoints`,
          );
        }
        const endpoint = await admin.updateEndpoint(action.id, action.url);
        applied.push({
          action: action.action,
          type: action.type,
          id: endpoint.id,
          region: action.region,
          interface: action.interface,
          url: endpoint.url,
        });
        break;
      }
      case "keep-endpoint":
        break;
    }
  }
  return applied;
}
