import { describe, expect, it } from "vitest";
import { StoreError } from "./errors.ts";
import { createMemoryStore } from "./memory.ts";
import { runStoreContract } from "./store-contract.ts";

runStoreContract({ name: "memory", createStore: () => createMemoryStore() });

describe("createMemoryStore", () => {
  it("reports and refuses conditional writes when they are switched off", async () => {
    const store = createMemoryStore({ conditionalWrites: false });
    expect(store.capabilities.conditionalWrites).toBe(false);
    await expect(store.put("k", "x", { ifNoneMatch: "*" })).rejects.toBeInstanceOf(StoreError);
    expect(await store.head("k")).toBeNull();
  });

  it("stamps lastModified with the injected clock", async () => {
    const store = createMemoryStore({ now: () => new Date("2026-11-23T18:00:00Z") });
    const written = await store.put("k", "x");
    expect(written.lastModified.toISOString()).toBe("2026-11-23T18:00:00.000Z");
    expect((await store.head("k"))?.lastModified.toISOString()).toBe("2026-11-23T18:00:00.000Z");
  });

  it("does not let a caller change a stored object through a returned info or chunk", async () => {
    const store = createMemoryStore();
    await store.put("k", "abc");
    const info = await store.head("k");
    info?.lastModified.setTime(0);
    const object = await store.get("k");
    const reader = object?.body.getReader();
    const chunk = await reader?.read();
    chunk?.value?.fill(0);
    const again = await store.get("k");
    expect(again?.lastModified.getTime()).not.toBe(0);
    expect(await new Response(again?.body).text()).toBe("abc");
  });
});
