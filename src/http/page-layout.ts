import { html, SafeHtml } from "./html.ts";

/** Shared frame, style and formatting of the server-rendered pages. */

const STYLE = `
:root{color-scheme:light dark;--fg:#1d1f21;--muted:#5f6368;--bg:#fff;--line:#e0e0e0;--code:#f5f5f5;--ok:#1a7f37;--bad:#c62828;--warn-bg:#fff8e1;--warn-line:#f0c36d}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--muted:#9aa0a6;--bg:#181a1b;--line:#3c4043;--code:#25282a;--ok:#57d163;--bad:#ff7b72;--warn-bg:#3a2f0b;--warn-line:#8a6d1d}}
body{margin:0;font:15px/1.5 system-ui,-apple-system,"Segoe UI",sans-serif;color:var(--fg);background:var(--bg)}
main{max-width:64rem;margin:0 auto;padding:1.5rem 1rem 3rem}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.15rem;margin:2rem 0 .5rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}
a{color:inherit}p{margin:.4rem 0}.muted{color:var(--muted)}
code,pre{font:13px/1.45 ui-monospace,SFMono-Regular,Menlo,monospace;background:var(--code);border-radius:4px}
code{padding:.05rem .3rem}pre{padding:.75rem 1rem;overflow-x:auto;white-space:pre}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;padding:.3rem .6rem .3rem 0;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted)}td.num,th.num{text-align:right}
.ok{color:var(--ok);font-weight:600}.failed{color:var(--bad);font-weight:600}.running{font-weight:600}
.warn{background:var(--warn-bg);border-left:4px solid var(--warn-line);padding:.5rem .75rem;margin:.5rem 0}
ul.errors{margin:.25rem 0;padding-left:1.2rem;color:var(--bad)}
footer{margin-top:2.5rem;color:var(--muted);font-size:13px}
`;

// A constant of ours, not data: no escaping needed.
const STYLE_HTML = new SafeHtml(STYLE);

/** Only the inline style above may apply; no script, no frames, no forms. */
export const PAGE_SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
};

export function renderPage(title: string, body: SafeHtml, footer: SafeHtml): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${STYLE_HTML}</style>
</head>
<body><main>
${body}
<footer>${footer}</footer>
</main></body>
</html>
`.value;
}

export function htmlResponse(page: string, status = 200): Response {
  return new Response(page, {
    status,
    headers: {
      "content-type": "text/html; charset=utf-8",
      // Pages reflect the request's host and the store's current state: never share them.
      "cache-control": "no-store",
      ...PAGE_SECURITY_HEADERS,
    },
  });
}

const UNITS = ["B", "KiB", "MiB", "GiB", "TiB"];

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

/** `2026-11-23 18:00 UTC`, or the input unchanged when it is no date. */
export function formatTime(value: string | Date): string {
  const date = typeof value === "string" ? new Date(value) : value;
  if (Number.isNaN(date.getTime())) return String(value);
  return `${date.toISOString().slice(0, 16).replace("T", " ")} UTC`;
}

export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const seconds = Math.round(ms / 1000);
  if (seconds < 120) return `${seconds} s`;
  return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
}
