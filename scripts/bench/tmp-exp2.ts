import * as fs from "node:fs";
import * as fsp from "node:fs/promises";
import { serve } from "@hono/node-server";
import { Hono } from "hono";

const mode = process.argv[2];
const root = process.argv[3]!;
const app = new Hono();
const H = {
  "content-type": "application/json",
  "cache-control": "x",
  etag: '"abc"',
  "last-modified": new Date().toUTCString(),
  "accept-ranges": "bytes",
  "x-content-type-options": "nosniff",
  vary: "Accept-Encoding",
};
function cbOpen(p: string) {
  return new Promise<number>((r, j) => fs.open(p, "r", (e, fd) => (e ? j(e) : r(fd))));
}
function cbFstat(fd: number) {
  return new Promise<fs.BigIntStats>((r, j) =>
    fs.fstat(fd, { bigint: true }, (e, s) => (e ? j(e) : r(s as fs.BigIntStats))),
  );
}
function cbRead(fd: number, b: Uint8Array) {
  return new Promise<number>((r, j) =>
    fs.read(fd, b, 0, b.byteLength, 0, (e, n) => (e ? j(e) : r(n))),
  );
}
function cbClose(fd: number) {
  return new Promise<void>((r, j) => fs.close(fd, (e) => (e ? j(e) : r())));
}
function cbStat(p: string) {
  return new Promise<fs.BigIntStats>((r, j) =>
    fs.stat(p, { bigint: true }, (e, s) => (e ? j(e) : r(s as fs.BigIntStats))),
  );
}
let cache: Uint8Array | undefined;
app.get("*", async (c) => {
  const p = root + c.req.path;
  let body: Uint8Array;
  if (mode === "fh") {
    const h = await fsp.open(p, "r");
    const s = await h.stat({ bigint: true });
    body = new Uint8Array(Number(s.size));
    await h.read(body, 0, body.byteLength, 0);
    await h.close();
  } else if (mode === "cb") {
    const fd = await cbOpen(p);
    const s = await cbFstat(fd);
    body = new Uint8Array(Number(s.size));
    await cbRead(fd, body);
    await cbClose(fd);
  } else if (mode === "sync") {
    const fd = fs.openSync(p, "r");
    const s = fs.fstatSync(fd, { bigint: true });
    body = new Uint8Array(Number(s.size));
    fs.readSync(fd, body, 0, body.byteLength, 0);
    fs.closeSync(fd);
  } else if (mode === "statcache") {
    const s = await cbStat(p);
    cache ??= fs.readFileSync(p);
    body = cache;
  } else if (mode === "statsynccache") {
    const s = fs.statSync(p, { bigint: true });
    cache ??= fs.readFileSync(p);
    body = cache;
  } else {
    cache ??= fs.readFileSync(p);
    body = cache;
  }
  return new Response(body, { headers: H });
});
serve({ fetch: app.fetch, hostname: "127.0.0.1", port: 18183 }, () => console.log("ready"));
process.on("SIGINT", () => process.exit(0));
