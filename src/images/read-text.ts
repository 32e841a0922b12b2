import type { ObjectStore } from "../store/object-store.ts";

/** An object's bytes as UTF-8 text, or `null` when it does not exist. */
export async function readObjectText(store: ObjectStore, key: string): Promise<string | null> {
  const object = await store.get(key);
  if (object === null) return null;
  return new Response(object.body).text();
}
