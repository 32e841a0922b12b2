/**
 * The floor of bench:sync for any Node program: the same downloads, all at once, each
 * piped by `node:http` straight to a file — no hashing, no fsync, no metadata. What Node
 * itself costs next to curl on this machine, so the sync's ratio can be read against it.
 *
 *   node scripts/bench/node-copy.ts DEST URL...
 */
import { createWriteStream } from "node:fs";
import { get } from "node:http";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";

const [dest, ...urls] = process.argv.slice(2);
if (dest === undefined || urls.length === 0) {
  console.error("usage: node scripts/bench/node-copy.ts DEST URL...");
  process.exit(2);
}

await Promise.all(
  urls.map(
    (url) =>
      new Promise<void>((resolve, reject) => {
        get(url, (response) => {
          if (response.statusCode !== 200) {
            reject(new Error(`${url}: HTTP ${response.statusCode}`));
            response.resume();
            return;
          }
          const file = join(dest, url.slice(url.lastIndexOf("/") + 1));
          pipeline(response, createWriteStream(file)).then(resolve, reject);
        }).once("error", reject);
      }),
  ),
);
