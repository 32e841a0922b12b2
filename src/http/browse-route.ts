import type { Context } from "hono";
import type { JobName } from "../scheduler/job-state.ts";
import type { ObjectStore } from "../store/object-store.ts";
import { listDirectory } from "./directory-listing.ts";
import { renderDirectoryBody } from "./directory-page.ts";
import { html } from "./html.ts";
import { createMirrorSummaryReader } from "./mirror-summary.ts";
import { readJobStates } from "./ops-routes.ts";
import { htmlResponse, renderPage } from "./page-layout.ts";
import { notFound } from "./plain-responses.ts";
import { renderRootBody } from "./root-page.ts";

export interface BrowseRouteOptions {
  store: ObjectStore;
  jobs: readonly JobName[];
  version: string;
  adminEnabled: boolean;
  /** Base URL shown in the Juju snippets; derived from the request when absent. */
  publicUrl: string | undefined;
}

const KNOWN_JOBS: readonly JobName[] = ["agents", "images"];
const HOST = /^[A-Za-z0-9.-]+(:\d{1,5})?$|^\[[0-9A-Fa-f:.]+\](:\d{1,5})?$/;

/**
 * The origin clients use. Behind a TLS-terminating proxy the request says `http://…`;
 * `X-Forwarded-Proto`/`-Host` fix that. They only change what this one requester sees
 * (escaped, and pages are `no-store`), so trusting them costs nothing.
 */
export function requestOrigin(request: Request): string {
  const url = new URL(request.url);
  const proto = request.headers.get("x-forwarded-proto")?.split(",")[0]?.trim();
  const host = request.headers.get("x-forwarded-host")?.split(",")[0]?.trim();
  const scheme = proto === "https" || proto === "http" ? proto : url.protocol.slice(0, -1);
  return `${scheme}://${host !== undefined && HOST.test(host) ? host : url.host}`;
}

/**
 * `/` (what is mirrored, sync results, how to point Juju here) and `…/` directory pages.
 * A directory is only a page when objects live below it; otherwise it is a plain 404, so
 * nothing ever answers a missing path with 200 HTML.
 */
export function createBrowseRoute(options: BrowseRouteOptions) {
  const { store, jobs, version, adminEnabled } = options;
  const readSummary = createMirrorSummaryReader(store);
  const publicUrl = options.publicUrl?.replace(/\/+$/, "");
  const footer = html`streamgate ${version} · <a href="/status">status</a> · <a href="/metrics">metrics</a>`;

  return async function browse(c: Context, prefix: string): Promise<Response> {
    const listing = await listDirectory(store, prefix);
    if (prefix !== "") {
      if (listing.objects === 0) return notFound();
      return htmlResponse(
        renderPage(`/${prefix} — streamgate`, renderDirectoryBody(listing), footer),
      );
    }
    const [summary, states] = await Promise.all([readSummary(), readJobStates(store, KNOWN_JOBS)]);
    const origin = publicUrl ?? requestOrigin(c.req.raw);
    const body = renderRootBody({
      origin,
      version,
      storeName: store.name,
      configuredJobs: jobs,
      states,
      summary,
      listing,
      adminEnabled,
    });
    return htmlResponse(renderPage(`streamgate — ${origin}`, body, footer));
  };
}
