import { createMessage, readSignature, type Signature, verify } from "openpgp";
import { BadSignatureError, NotSignedError, UnknownKeyError } from "./errors.ts";
import { parseClearsigned } from "./parse-clearsigned.ts";
import {
  formatFingerprint,
  formatKeyId,
  parsePublicKeys,
  type VerificationKeys,
} from "./parse-keys.ts";

export interface VerifiedClearsigned {
  /**
   * The signed text exactly as Juju reads it: LF line ends, dash-escaping undone, no
   * trailing blanks, ending in LF.
   */
  text: string;
  /** Issuer key id of the verified signature (the signing subkey, if one signed), uppercase hex. */
  keyId: string;
  /** Fingerprint of the trusted (primary) key that holds the signing key, uppercase hex. */
  fingerprint: string;
  /** Signature creation time. */
  signedAt: Date;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

function decode(input: string | Uint8Array): string {
  if (typeof input === "string") {
    return input;
  }
  try {
    return utf8.decode(input);
  } catch (error) {
    throw new NotSignedError("the input is not UTF-8 text", { cause: error });
  }
}

/**
 * Checks a cleartext-signed message against trusted keys and returns what it says. The
 * message is split with Juju's own rules (`parseClearsigned`) and the signature checked
 * over exactly those lines, so the text returned is the text Juju would trust. Every
 * signature made by a trusted key must verify; signatures by other keys are ignored.
 *
 * @throws {NotSignedError} when Juju would not see a cleartext-signed message at all.
 * @throws {UnknownKeyError} when no signature comes from a trusted key (message names the key ids).
 * @throws {BadSignatureError} when a trusted key's signature does not verify.
 * @throws {UnusableKeyError} when `keys` cannot be read.
 */
export async function verifyClearsigned(
  input: string | Uint8Array,
  keys: VerificationKeys,
): Promise<VerifiedClearsigned> {
  const parsed = parseClearsigned(decode(input));
  const trusted = await parsePublicKeys(keys);

  let signature: Signature;
  try {
    signature = await readSignature({ armoredSignature: parsed.signature });
  } catch (error) {
    throw new BadSignatureError(`the signature block is unreadable: ${(error as Error).message}`, {
      cause: error,
    });
  }
  const issuers = signature.getSigningKeyIDs();
  if (issuers.length === 0) {
    throw new NotSignedError("the signature block holds no signature");
  }
  // Juju hashes the decoded lines joined by CRLF; a text message joined by LF is
  // canonicalised to the same bytes.
  const { signatures } = await verify({
    message: await createMessage({ text: parsed.text.replace(/\n$/, "") }),
    signature,
    verificationKeys: trusted,
  });
  const byTrustedKeys = signatures.flatMap((result) => {
    const holder = trusted.find((key) => key.getKeys(result.keyID).length > 0);
    return holder ? [{ result, holder }] : [];
  });
  const [first] = byTrustedKeys;
  if (!first) {
    throw new UnknownKeyError(
      issuers.map(formatKeyId),
      trusted.map((key) => formatKeyId(key.getKeyID())),
    );
  }
  for (const { result } of byTrustedKeys) {
    try {
      await result.verified;
    } catch (error) {
      throw new BadSignatureError(
        `signature by ${formatKeyId(result.keyID)} does not verify: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
  const [packet] = (await first.result.signature).packets;
  if (!packet?.created) {
    throw new BadSignatureError("the signature has no creation time");
  }
  return {
    text: parsed.text,
    keyId: formatKeyId(first.result.keyID),
    fingerprint: formatFingerprint(first.holder),
    signedAt: packet.created,
  };
}
