import { beforeAll, describe, expect, it } from "vitest";
import { parseIndex } from "../core/index.ts";
import { clearsign, type GeneratedSigningKey, parseSigningKey } from "../signing/index.ts";
import { generateTestKey } from "../signing/test-support.ts";
import { UpstreamError } from "./errors.ts";
import { decodeDocument } from "./read-document.ts";

const URL = "https://mirror/juju/tools/streams/v1/index2.sjson";
const encoder = new TextEncoder();

function index(entry: string): string {
  return `{"format": "index:1.0", "updated": "Mon, 23 Nov 2026 10:00:00 +0000",\n "index": {"com.ubuntu.juju:released:agents": {${entry}}}}\n`;
}

const ENTRY =
  '"format": "products:1.0", "datatype": "content-download", "path": "streams/v1/a.sjson", "products": ["com.ubuntu.juju:ubuntu:amd64"]';

let key: GeneratedSigningKey;

beforeAll(async () => {
  key = await generateTestKey("read-document test");
});

function decode(text: string, signed: boolean) {
  return decodeDocument(encoder.encode(text), {
    url: URL,
    path: "streams/v1/index2.sjson",
    signed,
    keys: key.publicKey,
    kind: "simplestreams index",
    parse: parseIndex,
  });
}

describe("decodeDocument", () => {
  it("parses a signed index whose keys are distinct", async () => {
    const signed = await clearsign(index(ENTRY), await parseSigningKey(key.privateKey));
    const document = await decode(signed, true);
    expect(document.signed).toBe(true);
    expect(Object.keys(document.document.index)).toEqual(["com.ubuntu.juju:released:agents"]);
  });

  it("refuses a correctly signed document that repeats a key, naming the key and where", async () => {
    const repeated = index(`${ENTRY}, "path": "streams/v1/other.sjson"`);
    const signed = await clearsign(repeated, await parseSigningKey(key.privateKey));
    const error = await decode(signed, true).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UpstreamError);
    expect(error).toMatchObject({ reason: "parse", url: URL });
    expect((error as Error).message).toContain(
      `${URL} is not a valid simplestreams index: the key "path" appears twice in $.index["com.ubuntu.juju:released:agents"] (line 2 column`,
    );
  });

  it("refuses a repeated key in unsigned metadata too", async () => {
    const error = await decode(index(`${ENTRY}, "\\u0070ath": "x"`), false).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ reason: "parse" });
    expect((error as Error).message).toMatch(/the key "path" appears twice/);
  });
});
