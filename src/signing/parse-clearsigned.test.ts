import { describe, expect, it } from "vitest";
import { NotSignedError } from "./errors.ts";
import { parseClearsigned } from "./parse-clearsigned.ts";

const SIGNATURE = "-----BEGIN PGP SIGNATURE-----\n\nAAAA\n=AAAA\n-----END PGP SIGNATURE-----";

function message(head: string, body: string): string {
  return `-----BEGIN PGP SIGNED MESSAGE-----\n${head}\n\n${body}\n${SIGNATURE}\n`;
}

describe("parseClearsigned", () => {
  it("undoes dash-escaping and drops trailing blanks the way Juju's decoder does", () => {
    const parsed = parseClearsigned(message("Hash: SHA512", "- -a  \n- b\t\nc\n- - -d\n-e"));
    expect(parsed.text).toBe("-a\nb\nc\n- -d\n-e\n");
    expect(parsed.hashes).toEqual(["SHA512"]);
    expect(parsed.signature).toBe(`${SIGNATURE}\n`);
  });

  it("reads CRLF messages, and finds the message after leading text", () => {
    const crlf = message("Hash: SHA256", '{\n "a": 1 \n}').replace(/\n/g, "\r\n");
    const parsed = parseClearsigned(`mail headers\r\n\r\n${crlf}trailing text`);
    expect(parsed.text).toBe('{\n "a": 1\n}\n');
    expect(parsed.hashes).toEqual(["SHA256"]);
    expect(parsed.signature.startsWith("-----BEGIN PGP SIGNATURE-----\r\n")).toBe(true);
    expect(parsed.signature.endsWith("-----END PGP SIGNATURE-----\n")).toBe(true);
  });

  it("keeps a blank last line as part of the text and reads an empty text", () => {
    expect(parseClearsigned(message("Hash: SHA512", "a\n")).text).toBe("a\n\n");
    const empty = `-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n${SIGNATURE}\n`;
    expect(parseClearsigned(empty).text).toBe("");
  });

  it("stops only at the exact signature line, so a dash-escaped armor line stays text", () => {
    const parsed = parseClearsigned(message("Hash: SHA512", "- -----BEGIN PGP SIGNATURE-----\nx"));
    expect(parsed.text).toBe("-----BEGIN PGP SIGNATURE-----\nx\n");
  });

  it.each([
    ["plain JSON", '{"format": "index:1.0"}\n'],
    ["a BEGIN line that does not start a line", ` ${message("Hash: SHA512", "x")}`],
    [
      "text after the BEGIN marker",
      message("Hash: SHA512", "x").replace("MESSAGE-----", "MESSAGE-----x"),
    ],
    ["a Comment header", message("Hash: SHA512\nComment: hi", "x")],
    ["a Version header", message("Version: GnuPG v2\nHash: SHA512", "x")],
    ["a header without a colon", message("Hash SHA512", "x")],
    ["a header with non-ASCII text", message("Hash: SHA512\u00e9", "x")],
    ["no blank line after the headers", "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512"],
    ["no signature block", "-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\ntext\n"],
    ["no END line", message("Hash: SHA512", "x").replace("-----END PGP SIGNATURE-----", "")],
  ])("rejects %s as not signed", (_name, input) => {
    expect(() => parseClearsigned(input)).toThrow(NotSignedError);
  });

  it("names the offending header in the error", () => {
    expect(() => parseClearsigned(message("Hash: SHA512\nComment: hi", "x"))).toThrow(
      /armor header "Comment: hi" is not allowed/,
    );
  });
});
