import { randomUUID } from "node:crypto";
import { INTERNAL_PREFIX } from "../store/keys.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { checkedBytes, toWebStream } from "./checked-bytes.ts";
import { classifyKey, type ObjectClass } from "./classify-key.ts";
import { BundleError, messageOf } from "./errors.ts";
import type { BundleObject } from "./manifest.ts";

/** Where an import holds what it may only publish once the whole bundle is verified. */
export const STAGING_PREFIX = `${INTERNAL_PREFIX}bundle-import/`;

const PUBLISH_RANK: Record<ObjectClass, number> = { object: 0, metadata: 1, index: 2 };

interface Staged {
  object: BundleObject;
  objectClass: ObjectClass;
  stagingKey: string;
}

/**
 * Deletes what imports that crashed left under `STAGING_PREFIX`. Only for an import that
 * holds the store's locks: then no other import is running to own any of it.
 */
export async function sweepStaging(store: ObjectStore): Promise<number> {
  const leftovers: string[] = [];
  for await (const info of store.list(STAGING_PREFIX)) leftovers.push(info.key);
  await store.delete(leftovers);
  return leftovers.length;
}

/** What one import wrote so far, and how to publish or take it back. */
export interface ImportSession {
  /**
   * Streams one bundle entry (already matched to its manifest `object`) into the store,
   * checking its bytes; `index` is the object's place in the manifest.
   *
   * @throws {BundleError} naming the object and what was wrong with it.
   */
  receive(object: BundleObject, body: AsyncIterable<Uint8Array>, index: number): Promise<void>;
  /** Moves everything staged to its final key: payload, then metadata, then index files. */
  publish(): Promise<void>;
  /**
   * Deletes the payload this import created — unless metadata was already published,
   * which may name it. Staged copies are left to `discardStaging`.
   */
  rollback(): Promise<void>;
  discardStaging(): Promise<void>;
  readonly written: number;
  readonly unchanged: number;
}

/** The entry's bytes; a failure of the archive itself is reported to `onDamage` first. */
async function* watchArchive(
  body: AsyncIterable<Uint8Array>,
  onDamage: (message: string) => void,
): AsyncGenerator<Uint8Array, void, undefined> {
  try {
    for await (const chunk of body) yield chunk;
  } catch (error) {
    onDamage(messageOf(error));
    throw error;
  }
}

/**
 * The write side of `importBundle`. Payload whose key is free goes straight to its final
 * key (no published metadata names it yet) with `ifNoneMatch: "*"` where the store
 * supports it; product and index files, and payload that would replace different bytes,
 * are staged under `.streamgate/bundle-import/<uuid>/` until `publish`. Objects the store
 * already holds with the same size and sha256 are read and checked, then left alone.
 */
export function createImportSession(store: ObjectStore): ImportSession {
  const stagingPrefix = `${STAGING_PREFIX}${randomUUID()}/`;
  const created: string[] = [];
  const staged: Staged[] = [];
  let published = false;
  let written = 0;
  let unchanged = 0;

  async function put(
    key: string,
    body: AsyncIterable<Uint8Array>,
    object: BundleObject,
    create: boolean,
  ) {
    await store.put(key, toWebStream(body), {
      size: object.size,
      sha256: object.sha256 as string,
      ...(create && store.capabilities.conditionalWrites ? { ifNoneMatch: "*" as const } : {}),
    });
  }

  return {
    get written() {
      return written;
    },
    get unchanged() {
      return unchanged;
    },

    async receive(object, entry, index) {
      const { key } = object;
      let problem: string | undefined;
      const body = checkedBytes(
        watchArchive(entry, (message) => {
          problem = `the bundle is damaged or truncated inside it (${message})`;
        }),
        { size: object.size, sha256: object.sha256 as string },
        (mismatch) => {
          problem = `its bytes in the bundle do not match the manifest: ${mismatch}`;
          return new Error(mismatch);
        },
      );
      try {
        const objectClass = classifyKey(key);
        const existing = await store.head(key);
        if (existing?.size === object.size && existing.sha256 === object.sha256) {
          // Already published: still read and check it, a damaged bundle is refused whole.
          for await (const _chunk of body);
          unchanged++;
          return;
        }
        if (objectClass === "object" && existing === null) {
          await put(key, body, object, true);
          created.push(key);
        } else {
          const stagingKey = `${stagingPrefix}${index}`;
          await put(stagingKey, body, object, false);
          staged.push({ object, objectClass, stagingKey });
        }
        written++;
      } catch (error) {
        throw new BundleError(`"${key}" failed: ${problem ?? messageOf(error)}`, {
          key,
          cause: error,
        });
      }
    },

    async publish() {
      const order = [...staged].sort(
        (a, b) => PUBLISH_RANK[a.objectClass] - PUBLISH_RANK[b.objectClass],
      );
      for (const { object, objectClass, stagingKey } of order) {
        const held = await store.get(stagingKey);
        if (held === null) {
          throw new BundleError(
            `the staged copy of "${object.key}" vanished before it was published`,
            {
              key: object.key,
            },
          );
        }
        if (objectClass !== "object") published = true;
        await store.put(object.key, held.body, {
          size: object.size,
          sha256: object.sha256 as string,
        });
      }
    },

    async rollback() {
      if (!published) await store.delete(created);
    },

    async discardStaging() {
      await store.delete(staged.map(({ stagingKey }) => stagingKey));
    },
  };
}
