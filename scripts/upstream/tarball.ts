import { createCipheriv, createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir } from "node:fs/promises";
import { dirname } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";

export interface WriteTarballOptions {
  /** Where to write the `.tgz`; parent directories are created. */
  file: string;
  /** Name of the one file inside the archive, e.g. `jujud`. */
  name: string;
  /** The file's first bytes (UTF-8). */
  text: string;
  /** Pseudo-random bytes after `text`: they make the size, and gzip cannot shrink them. */
  noiseBytes: number;
  /** Seeds the noise, so the same options give the same bytes. */
  seed: string;
  /** Modification time recorded in the tar header. */
  mtime: Date;
  /** gzip level: 6 for small fixtures, 1 for benchmark-sized ones. */
  level: number;
}

export interface WrittenTarball {
  size: number;
  /** Lowercase hex. */
  sha256: string;
  /** Lowercase hex. */
  md5: string;
}

const BLOCK = 512;
const NOISE_CHUNK = 1024 * 1024;

function writeOctal(header: Buffer, offset: number, length: number, value: number): void {
  header.write(`${value.toString(8).padStart(length - 1, "0")}\0`, offset, length, "ascii");
}

/** A POSIX ustar header for one regular file (mode 0755, owned by root). */
function tarHeader(name: string, size: number, mtime: Date): Buffer {
  const header = Buffer.alloc(BLOCK);
  header.write(name, 0, 100, "ascii");
  writeOctal(header, 100, 8, 0o755);
  writeOctal(header, 108, 8, 0);
  writeOctal(header, 116, 8, 0);
  writeOctal(header, 124, 12, size);
  writeOctal(header, 136, 12, Math.floor(mtime.getTime() / 1000));
  header.fill(0x20, 148, 156);
  header.write("0", 156, 1, "ascii");
  header.write("ustar\u000000", 257, 8, "ascii");
  header.write("root", 265, 32, "ascii");
  header.write("root", 297, 32, "ascii");
  let checksum = 0;
  for (const byte of header) checksum += byte;
  header.write(`${checksum.toString(8).padStart(6, "0")}\0 `, 148, 8, "ascii");
  return header;
}

// AES-CTR over zeros: a fast, seedable stream of incompressible bytes, made chunk by chunk
// so a 64 MiB benchmark tarball never sits in memory.
async function* tarChunks(options: WriteTarballOptions): AsyncGenerator<Buffer> {
  const text = Buffer.from(options.text, "utf8");
  const size = text.length + options.noiseBytes;
  yield tarHeader(options.name, size, options.mtime);
  yield text;
  const key = createHash("sha256").update(options.seed).digest();
  const cipher = createCipheriv("aes-256-ctr", key, Buffer.alloc(16));
  const zeros = Buffer.alloc(Math.min(NOISE_CHUNK, options.noiseBytes));
  for (let left = options.noiseBytes; left > 0; left -= zeros.length) {
    yield cipher.update(left >= zeros.length ? zeros : zeros.subarray(0, left));
  }
  // Pad the file to a whole block, then the two zero blocks that end an archive.
  yield Buffer.alloc(((BLOCK - (size % BLOCK)) % BLOCK) + 2 * BLOCK);
}

/**
 * Streams a one-file `tar.gz` to disk and returns its size and digests, computed on the way.
 * Deterministic: the same options give the same bytes (gzip's header carries no time).
 */
export async function writeTarball(options: WriteTarballOptions): Promise<WrittenTarball> {
  await mkdir(dirname(options.file), { recursive: true });
  const sha256 = createHash("sha256");
  const md5 = createHash("md5");
  let size = 0;
  await pipeline(
    // Two chunks in flight at most: memory stays flat whatever the tarball size.
    Readable.from(tarChunks(options), { highWaterMark: 2 }),
    createGzip({ level: options.level }),
    async function* measure(source: AsyncIterable<Buffer>) {
      for await (const chunk of source) {
        sha256.update(chunk);
        md5.update(chunk);
        size += chunk.length;
        yield chunk;
      }
    },
    createWriteStream(options.file),
  );
  return { size, sha256: sha256.digest("hex"), md5: md5.digest("hex") };
}
