import {
  type Key,
  type KeyID,
  type PrivateKey,
  readKeys,
  readPrivateKey,
  type Subkey,
} from "openpgp";
import { UnusableKeyError } from "./errors.ts";

/** One or more OpenPGP keys: armored text (may hold several), binary packets, or parsed keys. */
export type KeyInput = string | Uint8Array | Key;

/** The keys a signature may come from; private keys are used for their public half only. */
export type VerificationKeys = KeyInput | readonly KeyInput[];

/** An armored private key, or one already parsed (and checked) with `parseSigningKey`. */
export type SigningKeyInput = string | PrivateKey;

/** Uppercase hex, the way gpg and juju-contract.md print key ids and fingerprints. */
export function formatKeyId(keyId: KeyID): string {
  return keyId.toHex().toUpperCase();
}

export function formatFingerprint(key: Key | Subkey): string {
  return key.getFingerprint().toUpperCase();
}

/**
 * Reads the keys a signature may be checked against.
 *
 * @throws {UnusableKeyError} when a key cannot be read or no key is given.
 */
export async function parsePublicKeys(keys: VerificationKeys): Promise<Key[]> {
  const inputs: readonly KeyInput[] = Array.isArray(keys) ? keys : [keys as KeyInput];
  const parsed: Key[] = [];
  for (const input of inputs) {
    try {
      if (typeof input === "string") {
        parsed.push(...(await readKeys({ armoredKeys: input })));
      } else if (input instanceof Uint8Array) {
        parsed.push(...(await readKeys({ binaryKeys: input })));
      } else {
        parsed.push(input);
      }
    } catch (error) {
      throw new UnusableKeyError(`cannot read public key: ${(error as Error).message}`, {
        cause: error,
      });
    }
  }
  if (parsed.length === 0) {
    throw new UnusableKeyError("no verification key given");
  }
  return parsed.map((key) => (key.isPrivate() ? key.toPublic() : key));
}

/** A private key checked for signing, and the (sub)key that will actually make signatures. */
export interface ResolvedSigningKey {
  key: PrivateKey;
  signingKey: PrivateKey | Subkey;
}

/**
 * Reads a private key and checks that Juju can verify what it signs: an unencrypted v4 RSA
 * key (juju-contract.md §6: no Ed25519, no v5/v6 keys) with a valid signing (sub)key.
 *
 * @throws {UnusableKeyError} naming what is wrong with the key.
 */
export async function resolveSigningKey(input: SigningKeyInput): Promise<ResolvedSigningKey> {
  let key: PrivateKey;
  if (typeof input === "string") {
    try {
      key = await readPrivateKey({ armoredKey: input });
    } catch (error) {
      const reason = input.includes("-----BEGIN PGP PUBLIC KEY BLOCK-----")
        ? "it is a public key; signing needs the private key"
        : (error as Error).message;
      throw new UnusableKeyError(`cannot read private key: ${reason}`, { cause: error });
    }
  } else {
    key = input;
  }
  const name = formatKeyId(key.getKeyID());
  if (!key.isPrivate()) {
    throw new UnusableKeyError(`key ${name} is a public key; signing needs the private key`);
  }
  if (!key.isDecrypted()) {
    throw new UnusableKeyError(
      `private key ${name} is protected by a passphrase; streamgate signs unattended and needs an unencrypted key`,
    );
  }
  let signingKey: PrivateKey | Subkey;
  try {
    signingKey = await key.getSigningKey();
  } catch (error) {
    throw new UnusableKeyError(`key ${name} cannot sign: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const { algorithm } = signingKey.getAlgorithmInfo();
  if (algorithm !== "rsaEncryptSign" && algorithm !== "rsaSign") {
    throw new UnusableKeyError(
      `key ${formatKeyId(signingKey.getKeyID())} is ${algorithm}; Juju verifies RSA signatures only`,
    );
  }
  if (signingKey.keyPacket.version !== 4) {
    throw new UnusableKeyError(
      `key ${formatKeyId(signingKey.getKeyID())} is a v${signingKey.keyPacket.version} key; Juju reads v4 keys only`,
    );
  }
  return { key, signingKey };
}

/**
 * Reads and checks an armored private key once, for callers that sign many files.
 *
 * @throws {UnusableKeyError} when Juju could not verify signatures made with it.
 */
export async function parseSigningKey(input: SigningKeyInput): Promise<PrivateKey> {
  return (await resolveSigningKey(input)).key;
}
