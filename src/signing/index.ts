/**
 * @module
 * OpenPGP cleartext signing and verification the way Juju reads it, key generation, and
 * the embedded Juju key. Runtime-neutral (Workers and Node). The Node-only `signTree`
 * (`streamgate sign DIR`) lives in `./sign-tree.ts` and is deliberately not re-exported.
 */
export { armoredPublicKeyToBinary } from "./binary-keyring.ts";
export type { ClearsignOptions } from "./clearsign.ts";
export { clearsign, isUnchangedClearsign } from "./clearsign.ts";
export {
  BadSignatureError,
  NotSignedError,
  SignatureError,
  UnknownKeyError,
  UnusableKeyError,
} from "./errors.ts";
export type { GeneratedSigningKey, GenerateSigningKeyOptions } from "./generate-key.ts";
export { generateSigningKey } from "./generate-key.ts";
export { JUJU_TOOLS_KEY_FINGERPRINT, JUJU_TOOLS_PUBLIC_KEY } from "./juju-tools-key.ts";
export type { ClearsignedMessage } from "./parse-clearsigned.ts";
export { parseClearsigned } from "./parse-clearsigned.ts";
export type { KeyInput, SigningKeyInput, VerificationKeys } from "./parse-keys.ts";
export { parsePublicKeys, parseSigningKey } from "./parse-keys.ts";
export type { IndexDocument, IndexPathRewrite } from "./signed-index.ts";
export { buildSignedIndex, isIndexDocument } from "./signed-index.ts";
export type { VerifiedClearsigned } from "./verify-clearsigned.ts";
export { verifyClearsigned } from "./verify-clearsigned.ts";
