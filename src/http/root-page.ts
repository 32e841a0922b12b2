import type { JobName, JobRun, JobState } from "../scheduler/job-state.ts";
import type { DirectoryListing } from "./directory-listing.ts";
import { renderListingTable } from "./directory-page.ts";
import { hrefForKey, html, type SafeHtml } from "./html.ts";
import { IMAGE_KEY, type MirrorSummary } from "./mirror-summary.ts";
import { formatBytes, formatDuration, formatTime } from "./page-layout.ts";

export interface RootPageData {
  /** Where clients reach this mirror, e.g. `https://mirror.example.com`. */
  origin: string;
  version: string;
  storeName: string;
  configuredJobs: readonly JobName[];
  /** Recorded state of every known job, configured or not. */
  states: Partial<Record<JobName, JobState | null>>;
  summary: MirrorSummary;
  listing: DirectoryListing;
  adminEnabled: boolean;
}

const KNOWN_JOBS: readonly JobName[] = ["agents", "images"];

/** `com.ubuntu.juju:released:agents` → `released`. */
function streamOf(contentId: string): string {
  return contentId.split(":")[1] ?? contentId;
}

function countsText(run: JobRun): string {
  return Object.entries(run.counts)
    .map(([name, count]) => `${name} ${count}`)
    .join(" · ");
}

function jobRow(job: JobName, configured: boolean, state: JobState | null | undefined): SafeHtml {
  const run = state?.lastRun;
  if (run === undefined) {
    const label = configured ? "never run" : "not configured";
    return html`<tr><td><strong>${job}</strong></td><td class="muted">${label}</td><td></td><td></td></tr>`;
  }
  const when =
    run.outcome === "running"
      ? html`started ${formatTime(run.startedAt)}`
      : html`${formatTime(run.finishedAt ?? run.startedAt)}${run.durationMs === undefined ? "" : html` <span class="muted">(${formatDuration(run.durationMs)})</span>`}`;
  const details: SafeHtml[] = [];
  const counts = countsText(run);
  if (counts !== "") details.push(html`<div>${counts}</div>`);
  if (run.bytes > 0) details.push(html`<div>${formatBytes(run.bytes)} transferred</div>`);
  if (state !== null && state !== undefined && state.generation > 0) {
    const publishedAt = state.generations[String(state.generation)];
    details.push(
      html`<div>generation ${state.generation}${publishedAt === undefined ? "" : html`, published ${formatTime(publishedAt)}`}</div>`,
    );
  }
  if (run.errors.length > 0) {
    const list = run.errors.map((error) => html`<li>${error}</li>`);
    details.push(
      run.outcome === "failed"
        ? html`<ul class="errors">${list}</ul>`
        : html`<ul class="muted">${list}</ul>`,
    );
  }
  if (run.outcome === "failed" && state?.lastSuccess !== undefined) {
    const success = state.lastSuccess;
    details.push(
      html`<div class="muted">last success ${formatTime(success.finishedAt ?? success.startedAt)}</div>`,
    );
  }
  if (!configured) details.push(html`<div class="muted">not configured any more</div>`);
  return html`<tr><td><strong>${job}</strong></td><td class="${run.outcome}">${run.outcome}</td><td>${when}</td><td>${details}</td></tr>`;
}

function syncSection(data: RootPageData): SafeHtml {
  const rows = KNOWN_JOBS.map((job) =>
    jobRow(job, data.configuredJobs.includes(job), data.states[job]),
  );
  return html`<h2>Sync</h2>
<table><thead><tr><th>Job</th><th>Last run</th><th>When</th><th>Result</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function agentsSection(summary: MirrorSummary): SafeHtml {
  const agents = summary.agents;
  if (agents === undefined) {
    return html`<h2>Agent binaries</h2><p class="muted">No agent metadata is published (no <code>juju/tools/streams/v1/index2.json</code>).</p>`;
  }
  const rows = agents.streams.map((stream) => {
    const versions =
      stream.versions.length > 8
        ? `${stream.versions.slice(0, 8).join(", ")} … (${stream.versions.length} versions)`
        : stream.versions.join(", ");
    if (stream.problem !== undefined) {
      return html`<tr><td>${streamOf(stream.contentId)}</td><td colspan="4" class="failed">${stream.problem}: <a href="${hrefForKey(stream.productsKey)}">${stream.productsKey}</a></td></tr>`;
    }
    return html`<tr><td title="${stream.contentId}">${streamOf(stream.contentId)}</td><td>${versions}</td><td>${stream.arches.join(", ")}</td><td class="num">${stream.tarballs}</td><td class="num">${formatBytes(stream.bytes)}</td></tr>`;
  });
  return html`<h2>Agent binaries</h2>
<p>Index <a href="${hrefForKey(agents.indexKey)}">${agents.indexKey}</a>${agents.signed ? " (Canonical-signed copy, exact mode)" : " (unsigned, filtered by this mirror)"}.</p>
<table><thead><tr><th>Stream</th><th>Versions</th><th>Arches</th><th class="num">Tarballs</th><th class="num">Size</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function imagesSection(summary: MirrorSummary): SafeHtml {
  const images = summary.images;
  if (images === undefined) {
    return html`<h2>Cloud images</h2><p class="muted">No image metadata is published (no <code>images/streams/v1/index.json</code>).</p>`;
  }
  const rows = images.entries.flatMap((entry) => {
    if (entry.problem !== undefined) {
      return [
        html`<tr><td>${entry.contentId}</td><td colspan="3" class="failed">${entry.problem}: <a href="${hrefForKey(entry.productsKey)}">${entry.productsKey}</a></td></tr>`,
      ];
    }
    const products = entry.products.join(", ");
    return entry.regions.map(
      (region) =>
        html`<tr><td>${region.region}</td><td><code>${region.endpoint}</code></td><td class="num">${region.images}</td><td>${products}</td></tr>`,
    );
  });
  return html`<h2>Cloud images</h2>
<p>Index <a href="${hrefForKey(images.indexKey)}">${images.indexKey}</a>${images.signed ? ", signed" : ", unsigned"}.</p>
<table><thead><tr><th>Region</th><th>Endpoint</th><th class="num">Images</th><th>Releases</th></tr></thead>
<tbody>${rows}</tbody></table>`;
}

function keySection(summary: MirrorSummary): SafeHtml {
  const key = summary.imageKey;
  if (key.state !== "ok") {
    return html`<h2>Image signing key</h2><p class="muted">No usable key at <code>/${IMAGE_KEY}</code>.</p>`;
  }
  const userIds = key.userIds.map((id) => html`<div>${id}</div>`);
  return html`<h2>Image signing key</h2>
<table><tbody>
<tr><th>Fingerprint</th><td><code>${key.fingerprint}</code></td></tr>
<tr><th>Key</th><td>${key.algorithm}${key.bits === undefined ? "" : ` ${key.bits}-bit`}, id <code>${key.keyId}</code></td></tr>
<tr><th>User ids</th><td>${userIds}</td></tr>
<tr><th>Download</th><td><a href="${hrefForKey(IMAGE_KEY)}">/${IMAGE_KEY}</a></td></tr>
</tbody></table>`;
}

function warnings(data: RootPageData): SafeHtml[] {
  const { summary } = data;
  const found: string[] = [...summary.problems];
  const wantsImages = summary.images !== undefined || data.configuredJobs.includes("images");
  const key = summary.imageKey;
  if (key.state === "missing" && wantsImages) {
    found.push(
      `No image signing key is published at /${IMAGE_KEY}: Juju cannot verify this mirror's signed image metadata (JUJU_STREAMS_PUBLICKEY_FILE).`,
    );
  }
  if (key.state === "invalid")
    found.push(`/${IMAGE_KEY} is not a readable OpenPGP key: ${key.message}`);
  if (key.state === "ok" && key.secret) {
    found.push(`/${IMAGE_KEY} holds a SECRET key and is public: remove it and replace the key.`);
  }
  if (key.state === "ok" && !key.rsa) {
    found.push(`The image key is ${key.algorithm}; Juju verifies RSA signatures only.`);
  }
  if (summary.images !== undefined && !summary.images.signed) {
    found.push(
      "Image metadata is unsigned (no images/streams/v1/index.sjson): configure images.signingKey so Juju can verify it.",
    );
  }
  for (const job of KNOWN_JOBS) {
    if (data.states[job]?.lastRun?.outcome === "failed")
      found.push(`The last ${job} sync failed; see Sync below.`);
  }
  return found.map((text) => html`<div class="warn">${text}</div>`);
}

function emptySection(data: RootPageData): SafeHtml {
  const trigger = data.adminEnabled
    ? html`<li>or ask this server: <code>curl -X POST -H "Authorization: Bearer $STREAMGATE_ADMIN_TOKEN" ${data.origin}/admin/sync?job=agents</code></li>`
    : "";
  return html`<h2>Nothing mirrored yet</h2>
<p>The store <code>${data.storeName}</code> holds no published files. The first <strong>agents</strong> sync reads the upstream simplestreams index (streams.canonical.com/juju/tools unless configured otherwise), checks its signature, copies the agent tarballs your filters select and publishes <code>juju/tools/streams/v1/index2.json</code> last, so Juju never sees a half-written mirror. The <strong>images</strong> sync lists your cloud's images and publishes signed <code>images/streams/v1/</code> metadata.</p>
<ul>
<li>run it now: <code>npx streamgate sync agents</code> (and <code>npx streamgate sync images</code>)</li>
<li>or wait for the schedule${data.configuredJobs.length === 0 ? " (no job is configured yet)" : ""}</li>
${trigger}
</ul>`;
}

function jujuSection(data: RootPageData): SafeHtml {
  const { origin, summary } = data;
  const agentsUrl = `${origin}/juju/tools`;
  const imagesUrl = `${origin}/images`;
  const streams = summary.agents?.streams.map((stream) => streamOf(stream.contentId)) ?? [];
  // Juju looks in `released` unless told otherwise; point it at what is actually mirrored.
  const stream = streams.length > 0 && !streams.includes("released") ? streams[0] : undefined;
  const streamConfig = stream === undefined ? "" : ` \\\n  --config agent-stream=${stream}`;
  const streamModelConfig = stream === undefined ? "" : ` agent-stream=${stream}`;
  return html`<h2>Use it with Juju</h2>
<p>Bootstrap a controller that takes agents and images from this mirror, with the image key trusted:</p>
<pre>curl -fsSLo streamgate-images.asc ${origin}/${IMAGE_KEY}
JUJU_STREAMS_PUBLICKEY_FILE=$PWD/streamgate-images.asc juju bootstrap &lt;cloud&gt; &lt;controller&gt; \\
  --config agent-metadata-url=${agentsUrl} \\
  --config image-metadata-url=${imagesUrl}${streamConfig}</pre>
<p>Point an existing model at it:</p>
<pre>juju model-config agent-metadata-url=${agentsUrl} image-metadata-url=${imagesUrl}${streamModelConfig}</pre>`;
}

export function renderRootBody(data: RootPageData): SafeHtml {
  const { listing } = data;
  const empty = listing.objects === 0;
  return html`<h1>streamgate</h1>
<p class="muted">Juju simplestreams mirror at <code>${data.origin}</code> · store <code>${data.storeName}</code> · ${listing.objects} files, ${formatBytes(listing.bytes)}</p>
${warnings(data)}
${empty ? emptySection(data) : ""}
${syncSection(data)}
${
  empty
    ? ""
    : html`${agentsSection(data.summary)}
${imagesSection(data.summary)}`
}
${keySection(data.summary)}
${jujuSection(data)}
${empty ? "" : html`<h2>Files</h2>${renderListingTable(listing)}`}`;
}
