import { describe, expect, it } from "vitest";
import { createSha256 } from "./incremental-sha256.ts";

async function webCryptoHex(bytes: Uint8Array<ArrayBuffer>): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function bytesOf(length: number): Uint8Array<ArrayBuffer> {
  return Uint8Array.from({ length }, (_, index) => (index * 31 + 7) & 0xff);
}

describe("createSha256", () => {
  it("matches the FIPS 180-4 example for abc", () => {
    const hash = createSha256();
    hash.update(new TextEncoder().encode("abc"));
    expect(hash.digestHex()).toBe(
      "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
    );
  });

  it.each([0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000, 70_001])(
    "matches Web Crypto for %i bytes fed in uneven chunks",
    async (length) => {
      const bytes = bytesOf(length);
      const hash = createSha256();
      for (
        let offset = 0, step = 1;
        offset < length;
        offset += step, step = ((step * 7) % 97) + 1
      ) {
        hash.update(bytes.subarray(offset, offset + step));
      }
      expect(hash.digestHex()).toBe(await webCryptoHex(bytes));
    },
  );

  it("cannot be used after the digest", () => {
    const hash = createSha256();
    hash.digestHex();
    expect(() => hash.update(new Uint8Array(1))).toThrow(/already finished/);
    expect(() => hash.digestHex()).toThrow(/already finished/);
  });
});
