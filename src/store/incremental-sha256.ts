/**
 * SHA-256 (FIPS 180-4) fed chunk by chunk, in plain JavaScript. Web Crypto only hashes a
 * whole buffer, and the contract suite must check objects too large to hold while staying
 * web-standard (it also runs inside workerd). Adapters on Node use `node:crypto`.
 */

export interface Sha256 {
  update(bytes: Uint8Array): void;
  /** Lowercase hex of the digest; the hash cannot be updated afterwards. */
  digestHex(): string;
}

// FIPS 180-4 §4.2.2: first 32 bits of the fractional parts of the cube roots of the first 64 primes.
const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);

// FIPS 180-4 §5.3.3: the initial hash value.
const INITIAL = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

export function createSha256(): Sha256 {
  const state = new Int32Array(INITIAL);
  const words = new Int32Array(64);
  const block = new Uint8Array(64);
  let buffered = 0;
  let total = 0;
  let finished = false;

  function compress(bytes: Uint8Array, start: number): void {
    for (let index = 0; index < 16; index++) {
      const at = start + index * 4;
      words[index] =
        ((bytes[at] as number) << 24) |
        ((bytes[at + 1] as number) << 16) |
        ((bytes[at + 2] as number) << 8) |
        (bytes[at + 3] as number);
    }
    for (let index = 16; index < 64; index++) {
      const w15 = words[index - 15] as number;
      const w2 = words[index - 2] as number;
      const s0 = ((w15 >>> 7) | (w15 << 25)) ^ ((w15 >>> 18) | (w15 << 14)) ^ (w15 >>> 3);
      const s1 = ((w2 >>> 17) | (w2 << 15)) ^ ((w2 >>> 19) | (w2 << 13)) ^ (w2 >>> 10);
      words[index] = ((words[index - 16] as number) + s0 + (words[index - 7] as number) + s1) | 0;
    }
    let a = state[0] as number;
    let b = state[1] as number;
    let c = state[2] as number;
    let d = state[3] as number;
    let e = state[4] as number;
    let f = state[5] as number;
    let g = state[6] as number;
    let h = state[7] as number;
    for (let index = 0; index < 64; index++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (h + S1 + ch + (K[index] as number) + (words[index] as number)) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    state[0] = (state[0] as number) + a;
    state[1] = (state[1] as number) + b;
    state[2] = (state[2] as number) + c;
    state[3] = (state[3] as number) + d;
    state[4] = (state[4] as number) + e;
    state[5] = (state[5] as number) + f;
    state[6] = (state[6] as number) + g;
    state[7] = (state[7] as number) + h;
  }

  function update(bytes: Uint8Array): void {
    if (finished) throw new Error("[streamgate] sha256 already finished");
    total += bytes.byteLength;
    let offset = 0;
    if (buffered > 0) {
      const take = Math.min(64 - buffered, bytes.byteLength);
      block.set(bytes.subarray(0, take), buffered);
      buffered += take;
      offset = take;
      if (buffered < 64) return;
      compress(block, 0);
      buffered = 0;
    }
    for (; offset + 64 <= bytes.byteLength; offset += 64) compress(bytes, offset);
    if (offset < bytes.byteLength) {
      block.set(bytes.subarray(offset), 0);
      buffered = bytes.byteLength - offset;
    }
  }

  function digestHex(): string {
    if (finished) throw new Error("[streamgate] sha256 already finished");
    const bits = total * 8;
    const padding = new Uint8Array(buffered < 56 ? 64 - buffered : 128 - buffered);
    padding[0] = 0x80;
    const view = new DataView(padding.buffer);
    view.setUint32(padding.byteLength - 8, Math.floor(bits / 2 ** 32));
    view.setUint32(padding.byteLength - 4, bits >>> 0);
    update(padding);
    finished = true;
    let hex = "";
    for (const word of state) hex += (word >>> 0).toString(16).padStart(8, "0");
    return hex;
  }

  return { update, digestHex };
}
