import type { DirectoryListing } from "./directory-listing.ts";
import { hrefForKey, html, type SafeHtml } from "./html.ts";
import { formatBytes, formatTime } from "./page-layout.ts";

/** The table of one directory level, shared by `/` and every `…/` page. */
export function renderListingTable(listing: DirectoryListing): SafeHtml {
  const rows = listing.entries.map((entry) => {
    const key = `${listing.prefix}${entry.name}`;
    const isDirectory = entry.kind === "directory";
    const href = isDirectory ? `${hrefForKey(key)}/` : hrefForKey(key);
    const label = isDirectory ? `${entry.name}/` : entry.name;
    const detail = isDirectory ? `${entry.objects} ${entry.objects === 1 ? "file" : "files"}` : "";
    return html`<tr><td><a href="${href}">${label}</a></td><td class="num">${formatBytes(entry.bytes)}</td><td class="muted">${detail}</td><td class="muted">${formatTime(entry.lastModified)}</td></tr>`;
  });
  return html`<table>
<thead><tr><th>Name</th><th class="num">Size</th><th></th><th>Modified</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>`;
}

/** Links for each ancestor of `prefix`: `/ › juju/ › tools/`. */
function breadcrumbs(prefix: string): SafeHtml {
  const segments = prefix.split("/").filter((segment) => segment !== "");
  const links = segments.map((segment, i) => {
    const href = `${hrefForKey(segments.slice(0, i + 1).join("/"))}/`;
    return html` › <a href="${href}">${segment}/</a>`;
  });
  return html`<a href="/">/</a>${links}`;
}

export function renderDirectoryBody(listing: DirectoryListing): SafeHtml {
  const parent = listing.prefix.split("/").slice(0, -2).join("/");
  return html`<h1>${breadcrumbs(listing.prefix)}</h1>
<p class="muted">${listing.objects} ${listing.objects === 1 ? "file" : "files"}, ${formatBytes(listing.bytes)}</p>
<p><a href="${parent === "" ? "/" : `${hrefForKey(parent)}/`}">../</a></p>
${renderListingTable(listing)}`;
}
