import { NotSignedError } from "./errors.ts";

/** A cleartext-signed message, split the way Juju's decoder splits it. */
export interface ClearsignedMessage {
  /**
   * The signed text exactly as Juju reads it: dash-escaping undone, trailing spaces and tabs
   * dropped, every line (the last one too) ending in LF. Empty when nothing was signed.
   */
  text: string;
  /** The armored signature block, from its BEGIN line through its END line. */
  signature: string;
  /** Values of the `Hash:` armor headers (not checked against the signature, as in Juju). */
  hashes: string[];
}

const MESSAGE_BEGIN = "-----BEGIN PGP SIGNED MESSAGE-----";
const SIGNATURE_BEGIN = "-----BEGIN PGP SIGNATURE-----";
const SIGNATURE_END = "\n-----END PGP SIGNATURE-----";

/**
 * Reads a cleartext-signed message with the rules of Go's `x/crypto/openpgp/clearsign`
 * `Decode` (what Juju runs): the first BEGIN line, only `Hash` headers, lines up to the
 * exact `-----BEGIN PGP SIGNATURE-----` line, then the signature up to its END line. No
 * cryptography happens here; see `verifyClearsigned`.
 *
 * @throws {NotSignedError} when Juju would not see a signed message in `input`.
 */
export function parseClearsigned(input: string): ClearsignedMessage {
  let start: number;
  if (input.startsWith(MESSAGE_BEGIN)) {
    start = 0;
  } else {
    const found = input.indexOf(`\n${MESSAGE_BEGIN}`);
    if (found === -1) {
      throw new NotSignedError(`no "${MESSAGE_BEGIN}" line: not a cleartext-signed message`);
    }
    start = found + 1;
  }

  let position = start + MESSAGE_BEGIN.length;
  const readLine = (): string | undefined => {
    if (position >= input.length) {
      return undefined;
    }
    const newline = input.indexOf("\n", position);
    const next = newline === -1 ? input.length : newline + 1;
    let end = newline === -1 ? input.length : newline;
    if (newline > position && input[newline - 1] === "\r") {
      end -= 1;
    }
    const line = input.slice(position, end);
    position = next;
    return line;
  };

  if (readLine()) {
    throw new NotSignedError(`"${MESSAGE_BEGIN}" is followed by other text on its line`);
  }

  const hashes: string[] = [];
  for (;;) {
    const line = readLine();
    if (line === undefined) {
      throw new NotSignedError("the message ends inside its armor headers");
    }
    if (line === "") {
      break;
    }
    const colon = line.indexOf(":");
    if (!/^[\x20-\x7e]*$/.test(line) || colon === -1 || line.slice(0, colon).trim() !== "Hash") {
      throw new NotSignedError(
        `armor header ${JSON.stringify(line)} is not allowed: Juju accepts only "Hash:" headers`,
      );
    }
    hashes.push(line.slice(colon + 1).trim());
  }

  const text: string[] = [];
  let signatureStart: number;
  for (;;) {
    const lineStart = position;
    const line = readLine();
    if (line === undefined) {
      throw new NotSignedError(`no "${SIGNATURE_BEGIN}" line after the signed text`);
    }
    if (line === SIGNATURE_BEGIN) {
      signatureStart = lineStart;
      break;
    }
    const unescaped = line.startsWith("- ") ? line.slice(2) : line;
    text.push(unescaped.replace(/[ \t]+$/, ""), "\n");
  }

  const end = input.indexOf(SIGNATURE_END, signatureStart);
  if (end === -1) {
    throw new NotSignedError(`no "${SIGNATURE_END.slice(1)}" line after the signature`);
  }
  return {
    text: text.join(""),
    signature: `${input.slice(signatureStart, end + SIGNATURE_END.length)}\n`,
    hashes,
  };
}
