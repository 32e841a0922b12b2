import { mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { request } from "node:http";
import { buildBenchObjects } from "./serve-tree.ts";
import { bundleWorker, startWorker } from "./serve-workerd.ts";
const dir = await mkdtemp(join(tmpdir(), "mfp-"));
const w = await startWorker(process.env.BUNDLE ? { path: process.env.BUNDLE, bytes: 0 } : await bundleWorker(dir), buildBenchObjects());
function get(ae: string | undefined): Promise<{ h: Record<string, unknown>; b: Buffer }> {
  return new Promise((done) => request(`${w.url}/juju/tools/streams/v1/index2.json`, { headers: ae === undefined ? {} : { "accept-encoding": ae } }, (r) => { const c: Buffer[] = []; r.on("data", (d) => c.push(d)); r.on("end", () => done({ h: r.headers, b: Buffer.concat(c) })); }).end());
}
for (const ae of ["identity", "gzip", undefined]) {
  const { h, b } = await get(ae);
  let layers = 0; let x = b;
  while (x[0] === 0x1f && x[1] === 0x8b) { x = gunzipSync(x); layers++; }
  console.log(ae, "content-encoding:", h["content-encoding"], "bytes:", b.length, "gzip layers:", layers, "decoded starts:", JSON.stringify(x.subarray(0, 12).toString()));
}
await w.stop();
