import { armor, encryptKey, enums, generateKey, readPrivateKey, readSignature } from "openpgp";
import { beforeAll, describe, expect, it } from "vitest";
import { clearsign, isUnchangedClearsign } from "./clearsign.ts";
import { UnusableKeyError } from "./errors.ts";
import type { GeneratedSigningKey } from "./generate-key.ts";
import { parseClearsigned } from "./parse-clearsigned.ts";
import {
  assertGpgvAvailable,
  generateTestKey,
  gpgvVerifyText,
  TEST_KEY_DATE,
} from "./test-support.ts";
import { verifyClearsigned } from "./verify-clearsigned.ts";

let key: GeneratedSigningKey;
let otherKey: GeneratedSigningKey;

beforeAll(async () => {
  [key, otherKey] = await Promise.all([generateTestKey(), generateTestKey("other key")]);
});

const SIGNED_AT = new Date("2024-06-01T10:00:00Z");

/** What Juju's decoder should read back: LF, no trailing blanks, one final LF. */
function jujuText(text: string): string {
  const lines = text.replace(/\r\n?/g, "\n").replace(/\n$/, "").split("\n");
  return lines.map((line) => `${line.replace(/[ \t]+$/, "")}\n`).join("");
}

const INPUTS: Array<[string, string]> = [
  ["simplestreams JSON", '{\n "format": "products:1.0",\n "products": {}\n}\n'],
  [
    "lines starting with dashes, including armor lines",
    '[\n-1,\n-----BEGIN PGP SIGNATURE-----\n- already escaped\n--\n-\n"-----END PGP SIGNATURE-----"\n]\n',
  ],
  ["trailing spaces and tabs", '{\n "a": "b",   \n "c": 1\t\n}  \n'],
  ["CRLF line ends", '{\r\n "a": [\r\n  -1\r\n ]\r\n}\r\n'],
  ["no final line end", '{"a": 1}'],
  ["blank lines and a blank last line", "a\n\n\nb\n\n"],
  ["non-ASCII text and a line separator before a dash", '{"name": "Łódź \u2028- x", "e": "é"}\n'],
];

describe("clearsign", () => {
  it("has gpgv available as the independent judge of these signatures", async () => {
    await expect(assertGpgvAvailable()).resolves.toBeUndefined();
  });

  it("writes one Hash: SHA512 header, a header-less signature with checksum, and no CR", async () => {
    const signed = await clearsign('{\r\n "a": 1\r\n}\r\n', key.privateKey);
    expect(signed).not.toContain("\r");
    const lines = signed.split("\n");
    expect(lines.slice(0, 4)).toEqual([
      "-----BEGIN PGP SIGNED MESSAGE-----",
      "Hash: SHA512",
      "",
      "{",
    ]);
    const signatureLine = lines.indexOf("-----BEGIN PGP SIGNATURE-----");
    expect(lines[signatureLine - 1]).toBe("}");
    expect(lines[signatureLine + 1]).toBe("");
    expect(lines.filter((line) => /^[A-Za-z-]+: /.test(line))).toEqual(["Hash: SHA512"]);
    expect(lines.at(-3)).toMatch(/^=[A-Za-z0-9+/]{4}$/);
    expect(lines.at(-2)).toBe("-----END PGP SIGNATURE-----");
    expect(lines.at(-1)).toBe("");
  });

  it("makes a v4 SHA512 text signature whose hashed data carries the issuer key id", async () => {
    const signed = await clearsign("x\n", key.privateKey, { date: SIGNED_AT });
    const signature = await readSignature({ armoredSignature: parseClearsigned(signed).signature });
    const [packet, ...others] = signature.packets;
    expect(others).toHaveLength(0);
    expect(packet?.version).toBe(4);
    expect(packet?.signatureType).toBe(enums.signature.text);
    expect(packet?.hashAlgorithm).toBe(enums.hash.sha512);
    expect(packet?.publicKeyAlgorithm).toBe(enums.publicKey.rsaEncryptSign);
    expect(packet?.created).toEqual(SIGNED_AT);
    expect(packet?.rawNotations).toEqual([]);
    const issuerSubpacket = Buffer.concat([Buffer.from([9, 16]), Buffer.from(key.keyId, "hex")]);
    expect(Buffer.from(packet?.signatureData ?? []).includes(issuerSubpacket)).toBe(true);
  });

  it.each(INPUTS)(
    "signs %s so that gpgv and Juju's reading agree on the text",
    async (_name, text) => {
      const signed = await clearsign(text, key.privateKey);
      expect(signed).not.toContain("\r");
      const gpgv = await gpgvVerifyText(signed, key.publicKey);
      expect(gpgv.stderr).toContain("Good signature");
      expect(gpgv.code).toBe(0);
      expect(gpgv.valid?.fingerprint).toBe(key.fingerprint);
      expect(gpgv.text).toBe(jujuText(text));
      expect(parseClearsigned(signed).text).toBe(jujuText(text));
      expect((await verifyClearsigned(signed, key.publicKey)).text).toBe(jujuText(text));
    },
  );

  it("signs CRLF input exactly like its LF form, and the same input the same way each time", async () => {
    const lf = '{\n "a": 1\n}\n';
    const fromLf = await clearsign(lf, key.privateKey, { date: SIGNED_AT });
    expect(await clearsign(lf.replace(/\n/g, "\r\n"), key.privateKey, { date: SIGNED_AT })).toBe(
      fromLf,
    );
    expect(await clearsign(lf, key.privateKey, { date: SIGNED_AT })).toBe(fromLf);
    expect(
      await clearsign(lf, key.privateKey, { date: new Date("2024-06-02T00:00:00Z") }),
    ).not.toBe(fromLf);
  });

  it("accepts a key parsed once, for signing many files", async () => {
    const parsed = await readPrivateKey({ armoredKey: key.privateKey });
    expect(await clearsign("a\n", parsed, { date: SIGNED_AT })).toBe(
      await clearsign("a\n", key.privateKey, { date: SIGNED_AT }),
    );
  });

  it("refuses to sign nothing", async () => {
    await expect(clearsign("", key.privateKey)).rejects.toThrow("nothing to sign");
    await expect(clearsign("\r\n", key.privateKey)).rejects.toThrow("nothing to sign");
  });

  it("refuses keys whose signatures Juju could not verify", async () => {
    const ecc = await generateKey({ type: "ecc", userIDs: [{ name: "ecc" }], format: "armored" });
    await expect(clearsign("x", ecc.privateKey)).rejects.toThrow(
      /Juju verifies RSA signatures only/,
    );

    const locked = await encryptKey({
      privateKey: await readPrivateKey({ armoredKey: key.privateKey }),
      passphrase: "secret",
    });
    await expect(clearsign("x", locked)).rejects.toThrow(/protected by a passphrase/);

    await expect(clearsign("x", key.publicKey)).rejects.toThrow(UnusableKeyError);
    await expect(clearsign("x", "not a key")).rejects.toThrow(/cannot read private key/);
  });
});

describe("isUnchangedClearsign", () => {
  const text = '{\n "format": "products:1.0"\n}\n';

  it("recognises a file this key signed from the same text, even from CRLF input", async () => {
    const signed = await clearsign(text, key.privateKey);
    expect(await isUnchangedClearsign(signed, text, key.privateKey)).toBe(true);
    expect(await isUnchangedClearsign(signed, text.replace(/\n/g, "\r\n"), key.privateKey)).toBe(
      true,
    );
  });

  it("says no when the text changed, another key signed, or the file was altered", async () => {
    const signed = await clearsign(text, key.privateKey, { date: SIGNED_AT });
    expect(await isUnchangedClearsign(signed, text.replace("1.0", "2.0"), key.privateKey)).toBe(
      false,
    );
    expect(await isUnchangedClearsign(signed, text, otherKey.privateKey)).toBe(false);
    const withComment = signed.replace("Hash: SHA512\n", "Hash: SHA512\nComment: x\n");
    expect(await isUnchangedClearsign(withComment, text, key.privateKey)).toBe(false);
    expect(await isUnchangedClearsign(text, text, key.privateKey)).toBe(false);
    expect(await isUnchangedClearsign("", text, key.privateKey)).toBe(false);
  });

  it("says no, rather than failing, for a signature dated before the key existed", async () => {
    const signed = await clearsign(text, key.privateKey, { date: SIGNED_AT });
    const { signature } = parseClearsigned(signed);
    const bytes = Buffer.from(
      (await readSignature({ armoredSignature: signature })).write() as Uint8Array,
    );
    const creationTime = (date: Date) => {
      const subpacket = Buffer.from([5, 0x82, 0, 0, 0, 0]);
      subpacket.writeUInt32BE(date.getTime() / 1000, 2);
      return subpacket;
    };
    const at = bytes.indexOf(creationTime(SIGNED_AT));
    expect(at).toBeGreaterThan(0);
    creationTime(new Date(TEST_KEY_DATE.getTime() - 86_400_000)).copy(bytes, at);
    const backdated = signed.replace(signature, armor(enums.armor.signature, bytes));
    expect(backdated).not.toBe(signed);
    expect(await isUnchangedClearsign(backdated, text, key.privateKey)).toBe(false);
  });
});
