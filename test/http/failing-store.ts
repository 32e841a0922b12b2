import { StoreError } from "../../src/store/errors.ts";
import type { ObjectInfo, ObjectStore } from "../../src/store/object-store.ts";

/**
 * A store whose backend is down: every call throws `StoreError`, as an adapter does when
 * S3, R2 or the disk fails. `calls` counts the attempts. Runtime-neutral.
 */
export function createFailingStore(name = "failing"): ObjectStore & { calls: number } {
  const fail = (operation: string, key?: string): never => {
    store.calls += 1;
    throw new StoreError("backend unavailable", {
      store: name,
      operation,
      ...(key === undefined ? {} : { key }),
    });
  };
  const store = {
    name,
    calls: 0,
    capabilities: { conditionalWrites: true },
    get: async (key: string) => fail("get", key),
    head: async (key: string) => fail("head", key),
    put: async (key: string) => fail("put", key),
    delete: async () => fail("delete"),
    list(prefix: string): AsyncIterable<ObjectInfo> {
      return {
        [Symbol.asyncIterator]() {
          return { next: async () => fail("list", prefix) };
        },
      };
    },
  };
  return store;
}
