import { resolve } from "node:path";
import { createFsStore } from "./fs.ts";
import type { ObjectStore } from "./object-store.ts";
import { parseStoreUrl, type StoreUrl } from "./url.ts";

export interface OpenStoreOptions {
  /** Folder relative `file:` paths resolve against (default `process.cwd()`). */
  cwd?: string;
}

/**
 * The store a store URL names, for the Node entry points (`serve`, `sync`, `bundle`).
 * Node-only: Workers use the R2 binding instead. Takes the URL as text (parsed here,
 * throwing `InvalidStoreUrlError`) or already parsed.
 */
export async function openStore(
  url: string | StoreUrl,
  options: OpenStoreOptions = {},
): Promise<ObjectStore> {
  const parsed = typeof url === "string" ? parseStoreUrl(url) : url;
  switch (parsed.kind) {
    case "file":
      return createFsStore({ root: resolve(options.cwd ?? process.cwd(), parsed.path) });
    case "s3": {
      // Loaded only here: the AWS SDK costs ~35 MB and a noticeable start-up for file: stores.
      const { createS3Store } = await import("./s3.ts");
      return createS3Store({
        bucket: parsed.bucket,
        prefix: parsed.prefix,
        ...(parsed.endpoint === undefined ? {} : { endpoint: parsed.endpoint }),
        ...(parsed.region === undefined ? {} : { region: parsed.region }),
        ...(parsed.forcePathStyle === undefined ? {} : { forcePathStyle: parsed.forcePathStyle }),
      });
    }
    default: {
      const unknown: never = parsed;
      throw new Error(`[streamgate] [store] unknown store kind ${JSON.stringify(unknown)}`);
    }
  }
}
