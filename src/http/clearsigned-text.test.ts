import { describe, expect, it } from "vitest";
import { readFixture } from "../../test/http/fixture-files.ts";
import { clearsignedText } from "./clearsigned-text.ts";

describe("clearsignedText", () => {
  it("returns the signed text of a real upstream .sjson", () => {
    const signed = readFixture("cloud-images-releases-index.sjson");
    const text = clearsignedText(signed);
    expect(text).toBeDefined();
    expect(JSON.parse(text ?? "").format).toBe("index:1.0");
  });

  it("removes dash-escaping and skips armor headers", () => {
    const message = [
      "-----BEGIN PGP SIGNED MESSAGE-----",
      "Hash: SHA256",
      "",
      "line one",
      "- -----not armor",
      "-----BEGIN PGP SIGNATURE-----",
      "",
      "xyz",
      "-----END PGP SIGNATURE-----",
    ].join("\r\n");
    expect(clearsignedText(message)).toBe("line one\n-----not armor");
  });

  it("returns undefined for text that is not cleartext-signed or has no signature", () => {
    expect(clearsignedText('{"a": 1}')).toBeUndefined();
    expect(
      clearsignedText("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n\n{}"),
    ).toBeUndefined();
  });
});
