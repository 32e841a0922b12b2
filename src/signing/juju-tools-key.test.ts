import { readFile } from "node:fs/promises";
import { readKey } from "openpgp";
import { describe, expect, it } from "vitest";
import { JUJU_TOOLS_KEY_FINGERPRINT, JUJU_TOOLS_PUBLIC_KEY } from "./juju-tools-key.ts";

const fixture = new URL("../../test/fixtures/juju-tools-public-key.asc", import.meta.url);

describe("JUJU_TOOLS_PUBLIC_KEY", () => {
  it("is test/fixtures/juju-tools-public-key.asc byte for byte", async () => {
    expect(JUJU_TOOLS_PUBLIC_KEY.trim()).toBe((await readFile(fixture, "utf8")).trim());
  });

  it("is Canonical's RSA-4096 Juju Tools key with the fingerprint juju-contract.md names", async () => {
    const key = await readKey({ armoredKey: JUJU_TOOLS_PUBLIC_KEY });
    expect(key.getFingerprint().toUpperCase()).toBe(JUJU_TOOLS_KEY_FINGERPRINT);
    expect(key.getKeyID().toHex().toUpperCase()).toBe("378F62AF6A157DB3");
    expect(key.getAlgorithmInfo()).toMatchObject({ algorithm: "rsaEncryptSign", bits: 4096 });
    expect(await key.getExpirationTime()).toBe(Number.POSITIVE_INFINITY);
    expect((await key.getSigningKey()).getKeyID().equals(key.getKeyID())).toBe(true);
  });
});
