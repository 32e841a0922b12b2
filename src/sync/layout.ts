/**
 * Where the agents job keeps things in the store (DESIGN.md §4). The published tree sits
 * under `juju/tools/`, so `agent-metadata-url = https://HOST/juju/tools` and every path
 * inside the metadata (relative to that base) is the store key minus the prefix.
 */
import { agentContentId } from "../core/index.ts";

/** Store prefix of the published agents tree. */
export const AGENTS_PREFIX = "juju/tools/";

/** The lease lock every agents sync holds while it writes. */
export const AGENTS_LOCK_KEY = ".streamgate/lock/agents";

/** Objects waiting for their grace period to end before deletion. */
export const AGENTS_GC_KEY = ".streamgate/state/agents-gc.json";

/** The plan a time-boxed (or interrupted) sync left to finish. */
export const AGENTS_PROGRESS_KEY = ".streamgate/state/agents-progress.json";

/** Index files Juju looks for, in its order (juju-contract §1): the only mutable pointers. */
export const INDEX2_SJSON = "streams/v1/index2.sjson";
export const INDEX_SJSON = "streams/v1/index.sjson";
export const INDEX2_JSON = "streams/v1/index2.json";
export const INDEX_JSON = "streams/v1/index.json";
export const INDEX_PATHS: readonly string[] = [INDEX2_SJSON, INDEX_SJSON, INDEX2_JSON, INDEX_JSON];

/** The only content id the legacy `index.(s)json` lists (juju-contract §1). */
export const LEGACY_INDEX_CONTENT_ID = agentContentId("released", true);

/** Hex digits of the sha256 in a content-addressed product file name. */
export const CONTENT_HASH_DIGITS = 12;

/** The store key of a path relative to the `…/juju/tools` base. */
export function agentsKey(path: string): string {
  return `${AGENTS_PREFIX}${path}`;
}

/** The path relative to the base of a key under `AGENTS_PREFIX`. */
export function agentsPath(key: string): string {
  return key.startsWith(AGENTS_PREFIX) ? key.slice(AGENTS_PREFIX.length) : key;
}

/**
 * `streams/v1/com.ubuntu.juju-released-agents.sjson` + sha256 →
 * `streams/v1/com.ubuntu.juju-released-agents-0123456789ab.json`: named after upstream's
 * product path (never an assumed name) and its own bytes, so a new product file never
 * overwrites one a live index names and the index write is the single switch.
 */
export function contentAddressedPath(upstreamPath: string, sha256: string): string {
  const base = upstreamPath.replace(/\.s?json$/, "");
  return `${base}-${sha256.slice(0, CONTENT_HASH_DIGITS)}.json`;
}

/** `….sjson` → `….json`: the unsigned twin upstream publishes next to a signed file. */
export function unsignedTwin(path: string): string {
  return path.endsWith(".sjson") ? `${path.slice(0, -".sjson".length)}.json` : path;
}
