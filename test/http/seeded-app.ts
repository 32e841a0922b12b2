import { type AppOptions, createApp } from "../../src/http/index.ts";
import { createMemoryStore } from "../../src/store/memory.ts";
import type { ObjectStore } from "../../src/store/object-store.ts";
import { HTTP_CASE_SEED, type SeedObjects, seedStore } from "./case-seed.ts";

/** A store that counts calls per method, to check how much work a request costs. */
export function countingStore(inner: ObjectStore): ObjectStore & { calls: Record<string, number> } {
  const calls: Record<string, number> = {};
  const count = (method: string) => {
    calls[method] = (calls[method] ?? 0) + 1;
  };
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    calls,
    get(key, options) {
      count("get");
      return inner.get(key, options);
    },
    head(key) {
      count("head");
      return inner.head(key);
    },
    put(key, body, options) {
      count("put");
      return inner.put(key, body, options);
    },
    delete(keys) {
      count("delete");
      return inner.delete(keys);
    },
    list(prefix) {
      count("list");
      return inner.list(prefix);
    },
  };
}

/** The app over a memory store holding `seed` (default: the shared case seed). */
export async function seededApp(
  options: Partial<AppOptions> = {},
  seed: SeedObjects = HTTP_CASE_SEED,
) {
  const store = countingStore(createMemoryStore());
  await seedStore(store, seed);
  for (const method of Object.keys(store.calls)) delete store.calls[method];
  const errors: string[] = [];
  const app = createApp({ store, logError: (message) => errors.push(message), ...options });
  return { app, store, errors };
}
