import { createSha256, type Sha256 } from "../store/incremental-sha256.ts";
import { joinMetadataUrl } from "./metadata-answer.ts";

export interface TarballClaim {
  /** Relative to the agent metadata base. */
  path: string;
  size: number;
  /** Lowercase hex. */
  sha256: string;
}

export type TarballCheck =
  | { ok: true; path: string; url: string; size: number; sha256: string }
  | { ok: false; path: string; url: string; status: number; reason: string };

const REDIRECT_STATUSES: ReadonlySet<number> = new Set([301, 302, 303, 307, 308]);

/**
 * Downloads one agent tarball the way the bootstrap machine does (`curl -sSf`, no `-L`)
 * and checks it the way the controller and cloud-init do: served directly with 200, no
 * Content-Encoding (Go would decompress it and the sha256 check fails), and exactly the
 * size and sha256 its item claims. Streamed and hashed chunk by chunk, never buffered;
 * `newHash` lets Node pass its native SHA-256 (the default is plain JavaScript).
 */
export async function checkTarball(
  fetchImpl: typeof fetch,
  baseUrl: string,
  claim: TarballClaim,
  newHash: () => Sha256 = createSha256,
): Promise<TarballCheck> {
  const { path } = claim;
  const url = joinMetadataUrl(baseUrl, path);
  const failed = (status: number, reason: string): TarballCheck => ({
    ok: false,
    path,
    url,
    status,
    reason: `tarball ${path} ${reason}`,
  });
  let response: Response;
  try {
    response = await fetchImpl(url, { redirect: "manual" });
  } catch (error) {
    return failed(0, `cannot be downloaded: ${(error as Error).message}`);
  }
  const { status } = response;
  if (REDIRECT_STATUSES.has(status)) {
    await response.body?.cancel().catch(() => undefined);
    const to = response.headers.get("location");
    return failed(
      status,
      `answered HTTP ${status}, a redirect${to ? ` to ${to}` : ""}; the bootstrap machine's curl -sSf does not follow redirects`,
    );
  }
  if (status !== 200 || response.body === null) {
    await response.body?.cancel().catch(() => undefined);
    return failed(status, `answered HTTP ${status}`);
  }
  const encoding = response.headers.get("content-encoding");
  if (encoding !== null && encoding.trim().toLowerCase() !== "identity") {
    await response.body.cancel().catch(() => undefined);
    return failed(
      status,
      `is sent with Content-Encoding: ${encoding}; Juju's HTTP client would decompress it and its sha256 check would fail`,
    );
  }
  const hash = newHash();
  let size = 0;
  try {
    for await (const chunk of response.body) {
      hash.update(chunk);
      size += chunk.byteLength;
    }
  } catch (error) {
    return failed(status, `broke off after ${size} bytes: ${(error as Error).message}`);
  }
  const sha256 = hash.digestHex();
  if (size !== claim.size || sha256 !== claim.sha256) {
    return failed(
      status,
      `has ${size} bytes, sha256 ${sha256}; its item claims ${claim.size} bytes, sha256 ${claim.sha256}`,
    );
  }
  return { ok: true, path, url, size, sha256 };
}
