/**
 * @module
 * Registering streamgate in an OpenStack cloud's Keystone catalog (`streamgate keystone
 * endpoints`): the `product-streams` and `juju-tools` services Juju's OpenStack provider
 * reads metadata sources from, planned against what is registered, printed as `openstack`
 * commands or applied through the Keystone v3 API, and checked end to end.
 * Runtime-neutral (web `fetch`); credentials come from `src/images` (OS_* or clouds.yaml).
 */
export { type AppliedAction, applyEndpointsPlan } from "./apply-endpoints.ts";
export {
  type CheckEndpointsOptions,
  checkEndpoints,
  type EndpointCheck,
  type RegisteredEndpoint,
} from "./check-endpoints.ts";
export { KeystoneError } from "./errors.ts";
export {
  createKeystoneAdmin,
  type KeystoneAdmin,
  type KeystoneAdminOptions,
  type KeystoneEndpoint,
  type KeystoneService,
} from "./keystone-admin.ts";
export { renderOpenStackCommands } from "./openstack-commands.ts";
export {
  type EndpointAction,
  type EndpointInterfaceName,
  type EndpointsPlan,
  type EndpointsState,
  type PlanEndpointsOptions,
  planEndpoints,
} from "./plan-endpoints.ts";
export { catalogRegions, readEndpointsState, stateFromCatalog } from "./read-endpoints.ts";
export {
  SERVICE_DATATYPES,
  STREAMS_SERVICE_TYPES,
  type StreamsServiceType,
  serviceUrl,
} from "./services.ts";
