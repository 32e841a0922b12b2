import pLimit from "p-limit";
import { createSha256 } from "../store/incremental-sha256.ts";
import type { ObjectStore } from "../store/object-store.ts";
import type { TarballSpec } from "./build-tree.ts";
import { agentsKey } from "./layout.ts";

export interface VerifyHeldOptions {
  store: ObjectStore;
  concurrency: number;
  signal?: AbortSignal;
  onBytes?: (delta: number) => void;
}

/**
 * Re-reads held tarballs and hashes their bytes (`--verify-existing`), for stores whose
 * recorded sha256 may no longer describe the bytes (disk rot, a hand-edited fs tree).
 * Returns the paths whose bytes are missing or differ: the sync copies those again.
 */
export async function verifyHeldTarballs(
  tarballs: readonly TarballSpec[],
  options: VerifyHeldOptions,
): Promise<Set<string>> {
  const { store, signal, onBytes } = options;
  const limit = pLimit(options.concurrency);
  const corrupt = new Set<string>();
  await Promise.all(
    tarballs.map((tarball) =>
      limit(async () => {
        signal?.throwIfAborted();
        const object = await store.get(agentsKey(tarball.path));
        if (object === null) {
          corrupt.add(tarball.path);
          return;
        }
        const hash = createSha256();
        let size = 0;
        const reader = object.body.getReader();
        try {
          for (;;) {
            signal?.throwIfAborted();
            const { done, value } = await reader.read();
            if (done) break;
            hash.update(value);
            size += value.byteLength;
            onBytes?.(value.byteLength);
          }
        } finally {
          await reader.cancel().catch(() => undefined);
        }
        if (size !== tarball.size || hash.digestHex() !== tarball.sha256) corrupt.add(tarball.path);
      }),
    ),
  );
  return corrupt;
}
