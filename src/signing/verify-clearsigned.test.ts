import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { createCleartextMessage, generateKey, readKey, readPrivateKey, sign } from "openpgp";
import { beforeAll, describe, expect, it } from "vitest";
import { armoredPublicKeyToBinary } from "./binary-keyring.ts";
import { clearsign } from "./clearsign.ts";
import {
  BadSignatureError,
  NotSignedError,
  SignatureError,
  UnknownKeyError,
  UnusableKeyError,
} from "./errors.ts";
import type { GeneratedSigningKey } from "./generate-key.ts";
import { JUJU_TOOLS_PUBLIC_KEY } from "./juju-tools-key.ts";
import { generateTestKey, gpgvVerify, gpgvVerifyText } from "./test-support.ts";
import { verifyClearsigned } from "./verify-clearsigned.ts";

const fixtures = new URL("../../test/fixtures/", import.meta.url);
const UBUNTU_INDEX = new URL("cloud-images-releases-index.sjson", fixtures);
const UBUNTU_PRODUCTS = new URL("cloud-images-com.ubuntu.cloud-released-download.sjson", fixtures);
const UBUNTU_KEY_ID = "7FF3F408476CF100";
const UBUNTU_FINGERPRINT = "4A3CE3CD565D7EB5C810E2B97FF3F408476CF100";

let ubuntuKey: string;
let key: GeneratedSigningKey;
let otherKey: GeneratedSigningKey;

beforeAll(async () => {
  ubuntuKey = await readFile(new URL("cloud-images.pub", fixtures), "utf8");
  [key, otherKey] = await Promise.all([generateTestKey(), generateTestKey("other key")]);
});

describe("verifyClearsigned with Canonical's signed files", () => {
  it.each([
    ["the cloud-images index", UBUNTU_INDEX, "index:1.0"],
    ["the 2.5 MB cloud-images product file", UBUNTU_PRODUCTS, "products:1.0"],
  ])(
    "verifies %s with the Ubuntu key and reads the text gpgv reads",
    async (_name, file, format) => {
      const verified = await verifyClearsigned(await readFile(file, "utf8"), ubuntuKey);
      expect(verified.keyId).toBe(UBUNTU_KEY_ID);
      expect(verified.fingerprint).toBe(UBUNTU_FINGERPRINT);
      expect(JSON.parse(verified.text).format).toBe(format);
      const gpgv = await gpgvVerify(fileURLToPath(file), ubuntuKey);
      expect(gpgv.code).toBe(0);
      expect(verified.text).toBe(gpgv.text);
      expect(gpgv.valid).toEqual({ fingerprint: UBUNTU_FINGERPRINT, signedAt: verified.signedAt });
    },
  );

  it("rejects them with UnknownKeyError naming the key when only the Juju key is trusted", async () => {
    const signed = await readFile(UBUNTU_INDEX, "utf8");
    const error = await verifyClearsigned(signed, JUJU_TOOLS_PUBLIC_KEY).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnknownKeyError);
    expect(error).toBeInstanceOf(SignatureError);
    expect((error as UnknownKeyError).keyIds).toEqual([UBUNTU_KEY_ID]);
    expect((error as Error).message).toContain(UBUNTU_KEY_ID);
    expect((error as Error).message).toContain("378F62AF6A157DB3");
  });

  it("rejects an altered body with BadSignatureError", async () => {
    const signed = await readFile(UBUNTU_INDEX, "utf8");
    const tampered = signed.replace('"region": "us-east-1"', '"region": "us-east-9"');
    expect(tampered).not.toBe(signed);
    await expect(verifyClearsigned(tampered, ubuntuKey)).rejects.toThrow(BadSignatureError);
    expect((await gpgvVerifyText(tampered, ubuntuKey)).code).toBe(1);
  });

  it("accepts the file as bytes and the key as binary packets or parsed keys, alone or in a list", async () => {
    const bytes = new Uint8Array(await readFile(UBUNTU_INDEX));
    const binary = await armoredPublicKeyToBinary(ubuntuKey);
    const parsed = await readKey({ armoredKey: ubuntuKey });
    for (const keys of [
      binary,
      parsed,
      [JUJU_TOOLS_PUBLIC_KEY, ubuntuKey],
      [key.publicKey, parsed],
    ]) {
      expect((await verifyClearsigned(bytes, keys)).keyId).toBe(UBUNTU_KEY_ID);
    }
  });
});

describe("verifyClearsigned", () => {
  it("returns what clearsign signed, the key id and fingerprint, and the signing time", async () => {
    const date = new Date("2024-06-01T10:00:00Z");
    const signed = await clearsign('{\n "a": [\n-1\n ]  \n}\n', key.privateKey, { date });
    const verified = await verifyClearsigned(signed, [otherKey.publicKey, key.publicKey]);
    expect(verified).toEqual({
      text: '{\n "a": [\n-1\n ]\n}\n',
      keyId: key.keyId,
      fingerprint: key.fingerprint,
      signedAt: date,
    });
  });

  it("reports a signing subkey's id with its primary key's fingerprint", async () => {
    const generated = await generateKey({
      type: "rsa",
      rsaBits: 2048,
      userIDs: [{ name: "with subkey" }],
      subkeys: [{ sign: true }],
      format: "object",
    });
    const subkey = await generated.privateKey.getSigningKey();
    expect(subkey).not.toBe(generated.privateKey);
    const signed = await clearsign("a\n", generated.privateKey);
    const verified = await verifyClearsigned(signed, generated.publicKey);
    expect(verified.keyId).toBe(subkey.getKeyID().toHex().toUpperCase());
    expect(verified.fingerprint).toBe(generated.publicKey.getFingerprint().toUpperCase());
    const gpgv = await gpgvVerifyText(signed, generated.publicKey.armor());
    expect(gpgv.code).toBe(0);
  });

  it("rejects a message signed by another key with UnknownKeyError", async () => {
    const signed = await clearsign("a\n", otherKey.privateKey);
    await expect(verifyClearsigned(signed, key.publicKey)).rejects.toThrow(
      new RegExp(`unknown key ${otherKey.keyId}`),
    );
  });

  it("checks only the signatures of trusted keys when several keys signed", async () => {
    const signingKeys = await Promise.all(
      [key, otherKey].map((k) => readPrivateKey({ armoredKey: k.privateKey })),
    );
    const armored = await sign({
      message: await createCleartextMessage({ text: "both\n" }),
      signingKeys,
      config: { showVersion: false, showComment: false },
    });
    const signed = armored.replace(/\r\n/g, "\n");
    expect((await verifyClearsigned(signed, otherKey.publicKey)).keyId).toBe(otherKey.keyId);
    expect((await verifyClearsigned(signed, key.publicKey)).keyId).toBe(key.keyId);
    const tampered = signed.replace("both", "bath");
    await expect(verifyClearsigned(tampered, key.publicKey)).rejects.toThrow(BadSignatureError);
  });

  it("rejects an altered body or signature with BadSignatureError", async () => {
    const signed = await clearsign('{"size": 100}\n', key.privateKey);
    await expect(verifyClearsigned(signed.replace("100", "101"), key.publicKey)).rejects.toThrow(
      BadSignatureError,
    );
    await expect(
      verifyClearsigned(signed.replace('{"size"', '{ "size"'), key.publicKey),
    ).rejects.toThrow(/does not verify/);
    const lines = signed.split("\n");
    const firstBase64 = lines.indexOf("-----BEGIN PGP SIGNATURE-----") + 2;
    const line = lines[firstBase64] ?? "";
    lines[firstBase64] = `${line.slice(0, 40)}${line[40] === "A" ? "B" : "A"}${line.slice(41)}`;
    await expect(verifyClearsigned(lines.join("\n"), key.publicKey)).rejects.toThrow(
      BadSignatureError,
    );
  });

  it("treats trailing blanks and CRLF line ends in a signed file as Juju does", async () => {
    const signed = await clearsign('{\n "a": 1\n}\n', key.privateKey);
    const reformatted = signed.replace('"a": 1', '"a": 1 \t').replace(/\n/g, "\r\n");
    expect((await verifyClearsigned(reformatted, key.publicKey)).text).toBe('{\n "a": 1\n}\n');
  });

  it.each([
    ["plain JSON", '{"format": "index:1.0"}\n'],
    ["an armored public key", JUJU_TOOLS_PUBLIC_KEY],
    ["empty input", ""],
  ])("rejects %s with NotSignedError", async (_name, input) => {
    await expect(verifyClearsigned(input, key.publicKey)).rejects.toThrow(NotSignedError);
  });

  it("rejects armor headers other than Hash, as Juju's decoder and gpgv do", async () => {
    const signed = await clearsign("a\n", key.privateKey);
    const withComment = signed.replace("Hash: SHA512\n", "Hash: SHA512\nComment: extra\n");
    expect((await gpgvVerifyText(withComment, key.publicKey)).code).not.toBe(0);
    await expect(verifyClearsigned(withComment, key.publicKey)).rejects.toThrow(NotSignedError);
  });

  it("rejects bytes that are not UTF-8 with NotSignedError", async () => {
    await expect(
      verifyClearsigned(new Uint8Array([0xff, 0xfe, 0x41]), key.publicKey),
    ).rejects.toThrow(/not UTF-8/);
  });

  it("rejects an unreadable key set with UnusableKeyError", async () => {
    const signed = await clearsign("a\n", key.privateKey);
    await expect(verifyClearsigned(signed, "junk")).rejects.toThrow(UnusableKeyError);
    await expect(verifyClearsigned(signed, [])).rejects.toThrow(UnusableKeyError);
  });
});
