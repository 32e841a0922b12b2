import { env } from "cloudflare:test";
import type { R2Objects } from "@cloudflare/workers-types";

/** Deletes every object of the test bucket: storage is shared by the tests of a file. */
export async function emptyBucket(): Promise<void> {
  let cursor: string | undefined;
  do {
    const page: R2Objects = await env.MIRROR.list(cursor === undefined ? {} : { cursor });
    if (page.objects.length > 0) await env.MIRROR.delete(page.objects.map((object) => object.key));
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor !== undefined);
}
