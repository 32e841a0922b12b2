import { createMessage, enums, readSignature, sign } from "openpgp";
import { ARMOR_CONFIG, SIGNING_CONFIG } from "./openpgp-config.ts";
import { parseClearsigned } from "./parse-clearsigned.ts";
import { type ResolvedSigningKey, resolveSigningKey, type SigningKeyInput } from "./parse-keys.ts";

export interface ClearsignOptions {
  /** Signature creation time. Default: now. Same text, key and date give the same bytes. */
  date?: Date;
}

/**
 * The only armor header Juju's clearsign decoder tolerates is `Hash` (juju-contract.md §6);
 * the signature armor carries none at all.
 */
const MESSAGE_HEAD = "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n";

/**
 * Splits text into the lines a cleartext signature covers (RFC 4880 §7.1): any line ending
 * becomes LF, trailing spaces and tabs go (they are not signed, and Juju drops them), and a
 * final line ending belongs to the armor rather than to the text.
 */
function signedLines(text: string): string[] {
  const lines = text.replace(/\r\n?/g, "\n").split("\n");
  if (lines.length > 1 && lines[lines.length - 1] === "") {
    lines.pop();
  }
  return lines.map((line) => line.replace(/[ \t]+$/, ""));
}

async function clearsignLines(
  lines: readonly string[],
  key: ResolvedSigningKey,
  date: Date | undefined,
): Promise<string> {
  const signedText = lines.join("\n");
  if (signedText === "") {
    throw new TypeError("[streamgate] [signing] nothing to sign: `text` is empty");
  }
  // A detached text-mode signature over the canonical lines is exactly the signature a
  // cleartext message carries; armoring it here keeps every byte of the output in our hands.
  const binarySignature = await sign({
    message: await createMessage({ text: signedText }),
    signingKeys: key.key,
    detached: true,
    format: "binary",
    date,
    config: SIGNING_CONFIG,
  });
  const signature = await readSignature({ binarySignature });
  for (const packet of signature.packets) {
    if (packet.hashAlgorithm !== enums.hash.sha512 || packet.version !== 4) {
      throw new Error(
        `[streamgate] [signing] OpenPGP.js made a v${packet.version} signature with hash ${packet.hashAlgorithm}; expected a v4 SHA512 signature`,
      );
    }
  }
  const body = lines.map((line) => (line.startsWith("-") ? `- ${line}` : line)).join("\n");
  return `${MESSAGE_HEAD}${body}\n${signature.armor(ARMOR_CONFIG)}`;
}

/**
 * Clearsigns `text` the way Canonical's simplestreams files are signed: one `Hash: SHA512`
 * header, a v4 RSA signature carrying the issuer key id, LF line ends throughout. CRLF or CR
 * input is read as LF; lines starting with `-` are dash-escaped; trailing blanks are dropped.
 * Juju (and `verifyClearsigned`) read the result back as `text` with LF line ends, without
 * trailing blanks, ending in one LF.
 *
 * @throws {UnusableKeyError} when the key is not an unencrypted v4 RSA signing key.
 */
export async function clearsign(
  text: string,
  privateKey: SigningKeyInput,
  options: ClearsignOptions = {},
): Promise<string> {
  const key = await resolveSigningKey(privateKey);
  return clearsignLines(signedLines(text), key, options.date);
}

/**
 * Whether `existing` is byte for byte what `clearsign(text, privateKey)` made when it signed
 * it — so re-signing would change nothing but the timestamp, and writers can leave the file
 * (and its ETag) alone. False for anything else, including files signed by another key.
 */
export async function isUnchangedClearsign(
  existing: string,
  text: string,
  privateKey: SigningKeyInput,
): Promise<boolean> {
  const key = await resolveSigningKey(privateKey);
  let created: Date;
  try {
    const signature = await readSignature({
      armoredSignature: parseClearsigned(existing).signature,
    });
    const [packet, ...others] = signature.packets;
    if (
      packet?.created == null ||
      others.length > 0 ||
      !packet.issuerKeyID.equals(key.signingKey.getKeyID())
    ) {
      return false;
    }
    created = packet.created;
  } catch {
    return false;
  }
  if (created < key.signingKey.getCreationTime()) {
    return false;
  }
  return (await clearsignLines(signedLines(text), key, created)) === existing;
}
