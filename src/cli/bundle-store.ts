import { loadConfig } from "../config/load-config.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { openStore } from "../store/open-store.ts";

/**
 * The store a `bundle` command works on: `--store`, else `STREAMGATE_STORE`, else the
 * configuration's `store` (`./streamgate.yaml`, default `file:./data`) — the same rules
 * as `serve`, so both sides of the air gap name their mirror the way they serve it.
 */
export async function openBundleStore(
  flag: string | undefined,
): Promise<{ store: ObjectStore; url: string }> {
  const { config } = await loadConfig(flag === undefined ? {} : { store: flag });
  return { store: await openStore(config.store), url: config.store };
}
