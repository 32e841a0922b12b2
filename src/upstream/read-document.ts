import { ParseError, parseJsonDocument } from "../core/index.ts";
import {
  BadSignatureError,
  JUJU_TOOLS_PUBLIC_KEY,
  NotSignedError,
  SignatureError,
  UnknownKeyError,
  type VerificationKeys,
  verifyClearsigned,
} from "../signing/index.ts";
import { findDuplicateKey } from "./duplicate-keys.ts";
import { stripOrigin, UpstreamError } from "./errors.ts";

/** Who signed an upstream document. */
export interface UpstreamSignature {
  /** Issuer key id, 16 uppercase hex digits. */
  keyId: string;
  /** Fingerprint of the trusted key, 40 uppercase hex digits. */
  fingerprint: string;
  signedAt: Date;
}

/** An upstream metadata file, read, verified and parsed. */
export interface UpstreamDocument<T> {
  /** Relative to the upstream base, e.g. `streams/v1/index2.sjson`. */
  path: string;
  /** Credentials removed. */
  url: string;
  /** Whether it came from a signed `.sjson` whose signature verified. */
  signed: boolean;
  document: T;
  /** The bytes exactly as served: the clearsigned file, or the unsigned JSON. */
  raw: Uint8Array;
  /**
   * The JSON text that was parsed: the signed text as Juju reads it (LF line ends, ending in
   * LF) for a `.sjson`, the file decoded as UTF-8 otherwise.
   */
  text: string;
  /** Present when `signed`. */
  signature: UpstreamSignature | undefined;
}

export interface DecodeOptions<T> {
  url: string;
  path: string;
  signed: boolean;
  /** Keys a signed document must verify against. Default: Juju's built-in key. */
  keys: VerificationKeys | undefined;
  /** What the document should be, for messages: `"simplestreams index"`… */
  kind: string;
  parse: (value: unknown) => T;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

const KEY_HINT =
  "if this upstream is signed by another key, give its public key (CLI --upstream-key FILE, config agents.upstreamKey)";

function signatureFailure(url: string, error: SignatureError): UpstreamError {
  const detail = stripOrigin(error.message);
  let message: string;
  if (error instanceof NotSignedError) {
    message = `${url} is not an OpenPGP clearsigned file (${detail}); signed upstream metadata was expected`;
  } else if (error instanceof UnknownKeyError) {
    message = `${url}: ${detail}; ${KEY_HINT}`;
  } else if (error instanceof BadSignatureError) {
    message = `${url}: ${detail} — the file was altered after it was signed, or corrupted on the way; refusing it`;
  } else {
    message = `${url}: ${detail}`;
  }
  return new UpstreamError(message, { url, reason: "signature", cause: error });
}

/**
 * Verifies (when `signed`), decodes and parses one metadata file. Signature failures become
 * `UpstreamError` `signature`; malformed or invalid documents, and documents repeating a
 * key within an object, `parse`. An unreadable key (`UnusableKeyError`) is a configuration
 * error and is thrown as is.
 */
export async function decodeDocument<T>(
  raw: Uint8Array,
  options: DecodeOptions<T>,
): Promise<UpstreamDocument<T>> {
  const { url, path, signed, kind } = options;
  let text: string;
  let signature: UpstreamSignature | undefined;
  if (signed) {
    try {
      const verified = await verifyClearsigned(raw, options.keys ?? JUJU_TOOLS_PUBLIC_KEY);
      text = verified.text;
      signature = {
        keyId: verified.keyId,
        fingerprint: verified.fingerprint,
        signedAt: verified.signedAt,
      };
    } catch (error) {
      if (error instanceof SignatureError) throw signatureFailure(url, error);
      throw error;
    }
  } else {
    try {
      text = utf8.decode(raw);
    } catch (error) {
      throw new UpstreamError(`${url} is not UTF-8 text, so not a ${kind}`, {
        url,
        reason: "parse",
        cause: error,
      });
    }
  }
  let document: T;
  try {
    const value = parseJsonDocument(text);
    const duplicate = findDuplicateKey(text);
    if (duplicate !== undefined) {
      throw new UpstreamError(
        `${url} is not a valid ${kind}: the key ${JSON.stringify(duplicate.key)} appears twice in ${duplicate.path} (line ${duplicate.line} column ${duplicate.column}); JSON readers disagree on which value wins, so metadata with a repeated key is refused`,
        { url, reason: "parse" },
      );
    }
    document = options.parse(value);
  } catch (error) {
    if (error instanceof ParseError) {
      throw new UpstreamError(`${url} is not a valid ${kind}: ${stripOrigin(error.message)}`, {
        url,
        reason: "parse",
        cause: error,
      });
    }
    throw error;
  }
  return { path, url, signed, document, raw, text, signature };
}
