import { type Config, config, enums, type PartialConfig } from "openpgp";

/**
 * OpenPGP.js settings for everything streamgate signs. Juju's Go decoders accept SHA256 or
 * SHA512 v4 signatures from RSA v4 keys (juju-contract.md §6); SHA512 is what Canonical uses.
 * The salt notation OpenPGP.js adds by default guards EdDSA against fault attacks and
 * gives RSA PKCS#1 v1.5 nothing; without it a signature depends only on text, key and
 * time, which lets `isUnchangedClearsign` recognise a file that needs no re-signing.
 */
export const SIGNING_CONFIG = {
  preferredHashAlgorithm: enums.hash.sha512,
  nonDeterministicSignaturesViaNotation: false,
  v6Keys: false,
} satisfies PartialConfig;

/**
 * Armor without `Version:` / `Comment:` lines: Juju's clearsign decoder rejects any header
 * but `Hash`, and keys and signatures are cleaner without them too.
 */
export const ARMOR_CONFIG: Config = { ...config, showVersion: false, showComment: false };
