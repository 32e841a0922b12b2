import type { ObjectStore } from "../../src/store/object-store.ts";

export interface StoreEvent {
  op: "put" | "delete";
  key: string;
  /** A put that threw (nothing was written). */
  failed?: boolean;
}

/** Wraps a store and records every write and delete, in completion order. */
export function recordingStore(inner: ObjectStore): { store: ObjectStore; events: StoreEvent[] } {
  const events: StoreEvent[] = [];
  const store: ObjectStore = {
    name: inner.name,
    capabilities: inner.capabilities,
    get: (key, options) => inner.get(key, options),
    head: (key) => inner.head(key),
    list: (prefix) => inner.list(prefix),
    async put(key, body, options) {
      try {
        const info = await inner.put(key, body, options);
        events.push({ op: "put", key });
        return info;
      } catch (error) {
        events.push({ op: "put", key, failed: true });
        throw error;
      }
    },
    async delete(keys) {
      await inner.delete(keys);
      for (const key of keys) events.push({ op: "delete", key });
    },
  };
  return { store, events };
}

/** Process death after `writesLeft` more writes: every later call throws, like a kill -9. */
export function dyingStore(inner: ObjectStore, writesLeft: number): ObjectStore {
  let left = writesLeft;
  const dead = () => new Error("[test] the process was killed");
  const check = () => {
    if (left < 0) throw dead();
  };
  return {
    name: inner.name,
    capabilities: inner.capabilities,
    async get(key, options) {
      check();
      return inner.get(key, options);
    },
    async head(key) {
      check();
      return inner.head(key);
    },
    list(prefix) {
      check();
      return inner.list(prefix);
    },
    async put(key, body, options) {
      check();
      if (left-- === 0) {
        if (body instanceof ReadableStream) await body.cancel();
        throw dead();
      }
      return inner.put(key, body, options);
    },
    async delete(keys) {
      check();
      if (left-- === 0) throw dead();
      return inner.delete(keys);
    },
  };
}
