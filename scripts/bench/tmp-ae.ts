import { Miniflare } from "miniflare";
const mf = new Miniflare({ host: "127.0.0.1", port: 0, workers: [{ config: { name: "x", compatibilityDate: "2026-11-01", manifest: { mainModule: "i.mjs", modules: { "i.mjs": { type: "esm", contents: "export default { fetch(r) { return new Response(String(r.headers.get('accept-encoding'))); } };" } } } } }] });
const url = await mf.ready;
const { execSync } = await import("node:child_process");
for (const h of ["", "-H 'Accept-Encoding: identity'", "-H 'Accept-Encoding: gzip'", "-H 'Accept-Encoding: br'"]) console.log(JSON.stringify(h), "->", execSync(`curl -s ${h} ${url}`).toString());
await mf.dispose();
