import type { ObjectStore } from "../store/object-store.ts";
import type { MetadataFile } from "./build-tree.ts";
import { agentsKey } from "./layout.ts";
import type { AgentsPlan } from "./plan.ts";

function contentTypeOf(path: string): string | undefined {
  return path.endsWith(".json") ? "application/json" : undefined;
}

function put(store: ObjectStore, file: MetadataFile) {
  return store.put(agentsKey(file.path), file.bytes, {
    size: file.bytes.byteLength,
    sha256: file.sha256,
    ...(contentTypeOf(file.path) === undefined ? {} : { contentType: contentTypeOf(file.path) }),
  });
}

/**
 * Publishes a plan whose tarballs are all held: product files first (all of them), then
 * the index files one by one — the only mutable pointers, so each write is an atomic
 * switch from one valid tree to the next — then the removals that must follow the switch
 * (stale `.sjson` pointers, product files of streams no longer mirrored). A crash at any
 * point leaves a valid tree: the old one, or the new one with some extra files.
 */
export async function publishPlan(
  store: ObjectStore,
  plan: Pick<AgentsPlan, "writes" | "removeNow">,
): Promise<void> {
  const products = plan.writes.filter((file) => file.kind === "product");
  const indexes = plan.writes.filter((file) => file.kind === "index");
  await Promise.all(products.map((file) => put(store, file)));
  for (const file of indexes) await put(store, file);
  if (plan.removeNow.length > 0) await store.delete(plan.removeNow.map(agentsKey));
}
