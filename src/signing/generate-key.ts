import { generateKey } from "openpgp";
import { ARMOR_CONFIG, SIGNING_CONFIG } from "./openpgp-config.ts";
import { formatFingerprint, formatKeyId } from "./parse-keys.ts";

export interface GenerateSigningKeyOptions {
  /** Name in the key's user id. Default `streamgate signing key`. */
  name?: string;
  /** Email in the key's user id, e.g. `images@mirror.example`. Default: none. */
  email?: string;
  /**
   * RSA modulus size. Default 4096, which `streamgate keygen` always uses. Tests may pass
   * 2048 for speed; OpenPGP.js refuses anything smaller.
   */
  rsaBits?: number;
  /** Key creation time. Default: now. */
  date?: Date;
}

export interface GeneratedSigningKey {
  /** Armored and unencrypted (signing runs unattended): keep it secret. */
  privateKey: string;
  /** Armored; what operators hand to Juju as `JUJU_STREAMS_PUBLICKEY_FILE`. */
  publicKey: string;
  /** 40 uppercase hex digits. */
  fingerprint: string;
  /** 16 uppercase hex digits: the issuer id in every signature the key makes. */
  keyId: string;
  userId: string;
}

const DEFAULT_NAME = "streamgate signing key";
const MIN_RSA_BITS = 2048;
const MAX_RSA_BITS = 8192;

/**
 * Generates a key for signing image metadata: a v4 RSA key without expiry, the only kind
 * every Juju version verifies (juju-contract.md §6). It has no subkeys: streamgate never
 * decrypts anything, so the primary key signs.
 */
export async function generateSigningKey(
  options: GenerateSigningKeyOptions = {},
): Promise<GeneratedSigningKey> {
  const { name = DEFAULT_NAME, email, rsaBits = 4096, date } = options;
  if (!Number.isInteger(rsaBits) || rsaBits < MIN_RSA_BITS || rsaBits > MAX_RSA_BITS) {
    throw new TypeError(
      `Expected \`rsaBits\` to be an integer from ${MIN_RSA_BITS} to ${MAX_RSA_BITS}, got ${rsaBits}`,
    );
  }
  if (typeof name !== "string" || name.trim() === "") {
    throw new TypeError("Expected `name` to be a non-empty string");
  }
  const { privateKey, publicKey } = await generateKey({
    type: "rsa",
    rsaBits,
    userIDs: [email === undefined ? { name } : { name, email }],
    subkeys: [],
    keyExpirationTime: 0,
    date,
    format: "object",
    config: SIGNING_CONFIG,
  });
  return {
    privateKey: privateKey.armor(ARMOR_CONFIG),
    publicKey: publicKey.armor(ARMOR_CONFIG),
    fingerprint: formatFingerprint(privateKey),
    keyId: formatKeyId(privateKey.getKeyID()),
    userId: privateKey.getUserIDs()[0] ?? name,
  };
}
