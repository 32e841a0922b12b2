/**
 * Typed failures of signature handling, so callers can tell "not signed", "signed by
 * someone we do not trust" and "signed but altered" apart (sync refuses all three, but
 * `verify` and the CLI explain them differently).
 */

/** Any failure to establish that a message is validly signed by a trusted key. */
export class SignatureError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(`[streamgate] [signing] ${message}`, options);
    this.name = "SignatureError";
  }
}

/** The input is not a cleartext-signed message that Juju's decoder would accept. */
export class NotSignedError extends SignatureError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "NotSignedError";
  }
}

/** The message is signed, but by none of the trusted keys. */
export class UnknownKeyError extends SignatureError {
  /** Issuer key ids of the message's signatures, uppercase hex. */
  readonly keyIds: readonly string[];

  constructor(keyIds: readonly string[], trustedKeyIds: readonly string[]) {
    super(
      `signed by unknown key ${keyIds.join(", ")}; trusted keys: ${trustedKeyIds.join(", ") || "none"}`,
    );
    this.name = "UnknownKeyError";
    this.keyIds = keyIds;
  }
}

/** A trusted key made the signature, but it does not verify: the text or signature was altered. */
export class BadSignatureError extends SignatureError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "BadSignatureError";
  }
}

/** A key that cannot be read, or cannot be used the way streamgate needs it. */
export class UnusableKeyError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(`[streamgate] [signing] ${message}`, options);
    this.name = "UnusableKeyError";
  }
}
