/**
 * @module
 * Replays Juju's metadata lookups against a served tree, to prove a mirror works the way
 * a Juju client will use it. Runtime-neutral (web `fetch`, Web Crypto through openpgp).
 */
export {
  type AgentLookupOptions,
  type AgentLookupResult,
  type FoundAgent,
  type LookupRequest,
  lookupAgent,
  type NoAgent,
  streamsSearched,
} from "./agent-lookup.ts";
