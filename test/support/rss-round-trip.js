/**
 * Child process of the 256 MiB round-trip tests (fs in test/store, Swift in test/system):
 * streams SIZE bytes into the store a store URL names and back, and prints one JSON line
 * with the digests and the process's peak resident memory. A process of its own, started
 * like bin/streamgate.js (its Node flags, and the same code: dist/ when built, else src/),
 * so the figure is what a streamgate process would use and not the test runner's. Plain
 * JavaScript for that reason. S3 credentials come from the AWS_* env.
 *
 *   node $(nodeFlags) test/support/rss-round-trip.js STORE_URL SIZE
 */
import { createCipheriv, createHash } from "node:crypto";
import { sourceModule } from "../../bin/source-root.js";

const { openStore } = await import(sourceModule("store/open-store").href);

const CHUNK = 1024 * 1024;

const [storeUrl, sizeText] = process.argv.slice(2);
if (storeUrl === undefined || sizeText === undefined) {
  throw new Error("usage: node test/support/rss-round-trip.js STORE_URL SIZE");
}
const size = Number(sizeText);

/** One 1 MiB block of AES-256-CTR keystream: incompressible, the same on every run. */
const BLOCK = new Uint32Array(
  createCipheriv("aes-256-ctr", Buffer.alloc(32, 7), Buffer.alloc(16, 0)).update(
    Buffer.alloc(CHUNK),
  ).buffer,
);

/**
 * Fills `into` with chunk `index` of the object: the block XOR a word of the index, so
 * every chunk differs (a reordered or repeated part changes the digest).
 */
function fillChunk(index, into) {
  const words = new Uint32Array(into.buffer, into.byteOffset, CHUNK / 4);
  const mask = Math.imul(index + 1, 0x9e3779b1) >>> 0;
  for (let at = 0; at < words.length; at++) words[at] = BLOCK[at] ^ mask;
  const length = Math.min(CHUNK, size - index * CHUNK);
  return into.subarray(0, length);
}

let peakRss = process.memoryUsage.rss();
const sample = () => {
  peakRss = Math.max(peakRss, process.memoryUsage.rss());
};
const sampler = setInterval(sample, 20);

/** The object as a stream, generated while it is read (a fresh buffer per chunk). */
function patternStream() {
  let index = 0;
  return new ReadableStream(
    {
      pull(controller) {
        sample();
        if (index * CHUNK >= size) controller.close();
        else controller.enqueue(fillChunk(index++, new Uint8Array(CHUNK)));
      },
    },
    { highWaterMark: 0 },
  );
}

// The digest to announce, computed first through one reused buffer.
const expected = createHash("sha256");
const scratch = new Uint8Array(CHUNK);
for (let index = 0; index * CHUNK < size; index++) expected.update(fillChunk(index, scratch));
const sha256 = expected.digest("hex");

const store = await openStore(storeUrl);
const baselineRss = process.memoryUsage.rss();
const key = "rss/round-trip.bin";
const written = await store.put(key, patternStream(), { size, sha256 });
const object = await store.get(key);
if (object === null) throw new Error(`${key} is missing right after the put`);
const read = createHash("sha256");
let bytesRead = 0;
for await (const chunk of object.body) {
  read.update(chunk);
  bytesRead += chunk.byteLength;
  sample();
}
await store.delete([key]);
clearInterval(sampler);
sample();

console.log(
  JSON.stringify({
    size,
    sha256,
    writtenSha256: written.sha256,
    recordedSha256: object.sha256,
    readSha256: read.digest("hex"),
    bytesRead,
    // Resident memory once Node, the SDK and the store are loaded, before any body moves.
    baselineRss,
    peakRss,
    // getrusage's ru_maxrss (KiB): the true peak, between samples included.
    maxRss: process.resourceUsage().maxRSS * 1024,
  }),
);
