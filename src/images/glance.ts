import { errorDetail, type FetchFunction, requestJson } from "./http-json.ts";
import type { SourceImage } from "./image-source.ts";
import { ImageSourceError } from "./images-errors.ts";

export interface ListGlanceImagesOptions {
  fetch: FetchFunction;
  token: string;
  timeoutMs: number;
  /** `limit` of each page; Glance caps it at its `api_limit_max` (1000 by default). */
  pageSize: number;
  signal?: AbortSignal;
  /** For messages: `Glance of region RegionOne at URL`. */
  what: string;
}

// A runaway `next` chain must end: 10,000 pages of 1,000 is far beyond any real cloud.
const MAX_PAGES = 10_000;

/** The Glance root from a catalog URL: `http://h:9292`, `…/v2/` and `https://h/image` all work. */
export function glanceRoot(catalogUrl: string): string {
  return catalogUrl.replace(/\/+$/, "").replace(/\/v2(?:\.\d+)?$/, "");
}

/**
 * Glance's `next` is a path relative to its own root (`/v2/images?marker=…`); behind a
 * path prefix (`https://h/image`) some deployments already include the prefix. Absolute
 * URLs are taken as they are.
 */
export function resolveNextLink(root: string, next: string): string {
  if (/^https?:\/\//i.test(next)) return next;
  const base = new URL(root);
  const prefix = base.pathname.replace(/\/+$/, "");
  if (next.startsWith("/")) {
    return prefix !== "" && next.startsWith(`${prefix}/`)
      ? `${base.origin}${next}`
      : `${root}${next}`;
  }
  return new URL(next, `${root}/v2/`).toString();
}

function toSourceImage(record: Record<string, unknown>): SourceImage | undefined {
  const { id, name, created_at: createdAt } = record;
  if (typeof id !== "string" || id === "") return undefined;
  return {
    id,
    ...(typeof name === "string" ? { name } : {}),
    ...(typeof createdAt === "string" ? { createdAt } : {}),
    // Glance v2 puts custom properties (os_distro, os_version, architecture) at the top level.
    properties: record,
  };
}

/**
 * Every active image Glance v2 shows the token's project (`GET /v2/images`), following
 * `next` links page by page.
 *
 * @throws {ImageSourceError} on any failure; the caller reports the region as failed.
 */
export async function listGlanceImages(
  catalogUrl: string,
  options: ListGlanceImagesOptions,
): Promise<SourceImage[]> {
  const root = glanceRoot(catalogUrl);
  let url: string | undefined = `${root}/v2/images?limit=${options.pageSize}&status=active`;
  const seen = new Set<string>();
  const images: SourceImage[] = [];
  while (url !== undefined) {
    if (seen.has(url) || seen.size >= MAX_PAGES) {
      throw new ImageSourceError("glance", `${options.what} keeps answering with next link ${url}`);
    }
    seen.add(url);
    const response = await requestJson(
      url,
      { headers: { "x-auth-token": options.token, accept: "application/json" } },
      {
        fetch: options.fetch,
        timeoutMs: options.timeoutMs,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
        origin: "glance",
        what: options.what,
      },
    );
    if (response.status !== 200) {
      const hint = response.status === 401 ? " (the Keystone token was not accepted)" : "";
      throw new ImageSourceError(
        "glance",
        `${options.what} answered HTTP ${response.status}${hint}${errorDetail(response.body)}`,
      );
    }
    const body = response.body as { images?: unknown; next?: unknown } | undefined;
    if (!Array.isArray(body?.images)) {
      throw new ImageSourceError("glance", `${options.what} answered without an images list`);
    }
    for (const record of body.images as unknown[]) {
      if (typeof record !== "object" || record === null) continue;
      const fields = record as Record<string, unknown>;
      if (fields.status !== "active") continue;
      const image = toSourceImage(fields);
      if (image !== undefined) images.push(image);
    }
    url =
      typeof body.next === "string" && body.next !== ""
        ? resolveNextLink(root, body.next)
        : undefined;
  }
  return images;
}
