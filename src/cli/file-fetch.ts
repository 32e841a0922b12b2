import { createHash } from "node:crypto";
import type { Sha256 } from "../store/incremental-sha256.ts";
import { isUpstreamError } from "../upstream/errors.ts";
import { createFileTransport } from "../upstream/file-transport.ts";

/**
 * `fetch` that also answers `file:` URLs from the local filesystem, the way Go's
 * `http.FileTransport` answers Juju for a `--metadata-source` directory or a `file://`
 * metadata URL: 200 with the bytes (streamed), 404 for anything missing.
 */
export function createFileAwareFetch(base: typeof fetch = fetch): typeof fetch {
  const transport = createFileTransport();
  return async function fileAwareFetch(input: string | URL | Request, init?: RequestInit) {
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    if (!url.startsWith("file:")) return base(input, init);
    try {
      const object = await transport.open(url);
      const headers =
        object.size === undefined ? undefined : { "content-length": String(object.size) };
      return new Response(object.body, { status: 200, headers });
    } catch (error) {
      if (isUpstreamError(error, "not-found")) {
        return new Response("not found\n", { status: 404, statusText: "Not Found" });
      }
      throw error;
    }
  } as typeof fetch;
}

/** Node's native SHA-256 behind the runtime-neutral `Sha256` interface. */
export function createNodeSha256(): Sha256 {
  const hash = createHash("sha256");
  return {
    update: (bytes) => {
      hash.update(bytes);
    },
    digestHex: () => hash.digest("hex"),
  };
}
