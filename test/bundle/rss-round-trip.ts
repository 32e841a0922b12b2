/**
 * Child process of bundle-memory.test.ts: exports the store at ONLINE into a bundle and
 * imports it into the empty store at OFFLINE, then prints one JSON line with the process's
 * resident memory before and at its peak. A process of its own, so the figure is this
 * round trip's and not the test runner's.
 *
 *   node test/bundle/rss-round-trip.ts ONLINE OFFLINE BUNDLE PRIVATE_KEY PUBLIC_KEY
 */
import { readFile } from "node:fs/promises";
import { exportBundle } from "../../src/bundle/export-bundle.ts";
import { importBundle } from "../../src/bundle/import-bundle.ts";
import { createFsStore } from "../../src/store/fs.ts";

const [online, offline, bundle, privateKeyFile, publicKeyFile] = process.argv.slice(2);
if (
  online === undefined ||
  offline === undefined ||
  bundle === undefined ||
  privateKeyFile === undefined ||
  publicKeyFile === undefined
) {
  throw new Error(
    "usage: node test/bundle/rss-round-trip.ts ONLINE OFFLINE BUNDLE PRIVATE_KEY PUBLIC_KEY",
  );
}

let peakRss = process.memoryUsage.rss();
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
};
const sampler = setInterval(sample, 20);

const [privateKey, publicKey] = await Promise.all([
  readFile(privateKeyFile, "utf8"),
  readFile(publicKeyFile, "utf8"),
]);
const source = createFsStore({ root: online });
const target = createFsStore({ root: offline });
const baselineRss = process.memoryUsage.rss();

const exported = await exportBundle({
  store: source,
  file: bundle,
  signingKey: privateKey,
  onProgress: sample,
});
const imported = await importBundle({
  store: target,
  file: bundle,
  keys: publicKey,
  onProgress: sample,
});
clearInterval(sampler);
sample();

console.log(
  JSON.stringify({
    bundleBytes: exported.bytes,
    exportedObjects: exported.included,
    importedObjects: imported.written,
    importedBytes: imported.bytes,
    // Resident memory once Node, openpgp and the stores are loaded, before any body moves.
    baselineRss,
    peakRss,
    // getrusage's ru_maxrss (KiB): the true peak, between samples included.
    maxRss: process.resourceUsage().maxRSS * 1024,
  }),
);
