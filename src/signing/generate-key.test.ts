import { readKey, readPrivateKey } from "openpgp";
import { describe, expect, it } from "vitest";
import { generateSigningKey } from "./generate-key.ts";

function armorHeaders(armored: string): string[] {
  const lines = armored.split("\n");
  return lines.slice(1, lines.indexOf(""));
}

describe("generateSigningKey", () => {
  it("makes an unencrypted v4 RSA-4096 signing key without expiry or subkeys by default", async () => {
    const generated = await generateSigningKey();
    const key = await readPrivateKey({ armoredKey: generated.privateKey });
    expect(key.keyPacket.version).toBe(4);
    expect(key.getAlgorithmInfo()).toEqual({ algorithm: "rsaEncryptSign", bits: 4096 });
    expect(key.isDecrypted()).toBe(true);
    expect(await key.getExpirationTime()).toBe(Number.POSITIVE_INFINITY);
    expect(key.subkeys).toHaveLength(0);
    expect(await key.getSigningKey()).toBe(key);
    expect(key.getUserIDs()).toEqual(["streamgate signing key"]);
    expect(generated.userId).toBe("streamgate signing key");
    expect(generated.fingerprint).toBe(key.getFingerprint().toUpperCase());
    expect(generated.fingerprint).toMatch(/^[0-9A-F]{40}$/);
    expect(generated.keyId).toBe(generated.fingerprint.slice(-16));
  });

  it("returns the matching public key, and armors both without Version or Comment headers", async () => {
    const generated = await generateSigningKey({ rsaBits: 2048 });
    const publicKey = await readKey({ armoredKey: generated.publicKey });
    expect(publicKey.isPrivate()).toBe(false);
    expect(publicKey.getFingerprint().toUpperCase()).toBe(generated.fingerprint);
    expect(generated.privateKey).toMatch(/^-----BEGIN PGP PRIVATE KEY BLOCK-----\n/);
    expect(generated.publicKey).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----\n/);
    expect(armorHeaders(generated.privateKey)).toEqual([]);
    expect(armorHeaders(generated.publicKey)).toEqual([]);
  });

  it("puts the configured name and email in the user id and uses the given creation time", async () => {
    const date = new Date("2025-03-01T12:00:00Z");
    const generated = await generateSigningKey({
      name: "mirror signer",
      email: "images@mirror.example",
      rsaBits: 2048,
      date,
    });
    const key = await readPrivateKey({ armoredKey: generated.privateKey });
    expect(generated.userId).toBe("mirror signer <images@mirror.example>");
    expect(key.getUserIDs()).toEqual(["mirror signer <images@mirror.example>"]);
    expect(key.getCreationTime()).toEqual(date);
    expect(key.getAlgorithmInfo().bits).toBe(2048);
  });

  it("rejects an `rsaBits` OpenPGP.js or Juju users should not get", async () => {
    for (const rsaBits of [1024, 2047, 3000.5, 16384, Number.NaN]) {
      await expect(generateSigningKey({ rsaBits })).rejects.toThrow(
        "Expected `rsaBits` to be an integer from 2048 to 8192",
      );
    }
  });

  it("rejects an empty name", async () => {
    await expect(generateSigningKey({ name: " ", rsaBits: 2048 })).rejects.toThrow(
      "Expected `name` to be a non-empty string",
    );
  });
});
