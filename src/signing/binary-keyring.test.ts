import { readKeys } from "openpgp";
import { beforeAll, describe, expect, it } from "vitest";
import { armoredPublicKeyToBinary } from "./binary-keyring.ts";
import { UnusableKeyError } from "./errors.ts";
import type { GeneratedSigningKey } from "./generate-key.ts";
import { JUJU_TOOLS_KEY_FINGERPRINT, JUJU_TOOLS_PUBLIC_KEY } from "./juju-tools-key.ts";
import { generateTestKey } from "./test-support.ts";

let ours: GeneratedSigningKey;

beforeAll(async () => {
  ours = await generateTestKey();
});

describe("armoredPublicKeyToBinary", () => {
  it("writes every key's public packets, in order", async () => {
    const keyring = await armoredPublicKeyToBinary([JUJU_TOOLS_PUBLIC_KEY, ours.publicKey]);
    const keys = await readKeys({ binaryKeys: keyring });
    expect(keys.map((key) => key.getFingerprint().toUpperCase())).toEqual([
      JUJU_TOOLS_KEY_FINGERPRINT,
      ours.fingerprint,
    ]);
  });

  it("keeps secret key material out of the keyring when given a private key", async () => {
    const keyring = await armoredPublicKeyToBinary(ours.privateKey);
    const [key, ...others] = await readKeys({ binaryKeys: keyring });
    expect(others).toHaveLength(0);
    expect(key?.isPrivate()).toBe(false);
    expect(key?.getFingerprint().toUpperCase()).toBe(ours.fingerprint);
  });

  it("rejects text that is not a key", async () => {
    await expect(armoredPublicKeyToBinary("not a key")).rejects.toThrow(UnusableKeyError);
    await expect(armoredPublicKeyToBinary([])).rejects.toThrow("no verification key given");
  });
});
