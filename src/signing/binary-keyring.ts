import { parsePublicKeys, type VerificationKeys } from "./parse-keys.ts";

/**
 * The public keys as binary OpenPGP packets, the keyring format `gpgv --keyring FILE`
 * reads. Private keys contribute their public half only, so secret material never lands
 * in a keyring file.
 */
export async function armoredPublicKeyToBinary(keys: VerificationKeys): Promise<Uint8Array> {
  const packets = (await parsePublicKeys(keys)).map((key) => key.write());
  const keyring = new Uint8Array(packets.reduce((size, bytes) => size + bytes.length, 0));
  let offset = 0;
  for (const bytes of packets) {
    keyring.set(bytes, offset);
    offset += bytes.length;
  }
  return keyring;
}
