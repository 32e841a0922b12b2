import { describe, expect, it } from "vitest";
import { ParseError } from "./parse-error.ts";
import { parseIndex } from "./parse-index.ts";

const AGENTS = "com.ubuntu.juju:released:agents";

function indexDoc(entry: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    format: "index:1.0",
    updated: "Mon, 01 Jan 2024 00:00:00 +0000",
    index: {
      [AGENTS]: {
        datatype: "content-download",
        format: "products:1.0",
        path: "streams/v1/com.ubuntu.juju-released-agents.json",
        products: ["com.ubuntu.juju:ubuntu:amd64"],
        updated: "Mon, 01 Jan 2024 00:00:00 +0000",
        ...entry,
      },
    },
  };
}

function parseError(value: unknown): ParseError {
  try {
    parseIndex(value);
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error("expected a ParseError");
}

describe("parseIndex", () => {
  it("returns the same object, typed, keeping unknown fields", () => {
    const doc = indexDoc({ clouds: [{ region: "r", endpoint: "https://e/", extra: 1 }], x: true });
    const parsed = parseIndex(doc);
    expect(parsed).toBe(doc);
    expect(parsed.index[AGENTS]?.clouds?.[0]?.extra).toBe(1);
    expect(parsed.index[AGENTS]?.x).toBe(true);
  });

  it("refuses a format other than index:1.0", () => {
    expect(parseError({ ...indexDoc(), format: "products:1.0" }).message).toBe(
      '[streamgate] [core] invalid index:1.0 document: format: expected "index:1.0", got "products:1.0"',
    );
  });

  it("refuses an absolute or escaping product path, naming the entry", () => {
    expect(parseError(indexDoc({ path: "/streams/v1/x.json" })).message).toContain(
      `index["${AGENTS}"].path: must be relative (must not start with "/")`,
    );
    expect(parseError(indexDoc({ path: "streams\\v1\\x.json" })).reason).toBe(
      "must not contain backslashes",
    );
  });

  it("requires datatype, path and products", () => {
    expect(parseError(indexDoc({ datatype: undefined })).message).toContain(
      `index["${AGENTS}"].datatype: missing, expected string`,
    );
    expect(parseError(indexDoc({ path: undefined })).path).toBe(`index["${AGENTS}"].path`);
    expect(parseError(indexDoc({ products: undefined })).message).toContain(
      `index["${AGENTS}"].products: missing, expected array`,
    );
  });

  it("names the array index of a bad product id", () => {
    expect(parseError(indexDoc({ products: ["a", 2] })).message).toContain(
      `index["${AGENTS}"].products[1]: expected string, got number`,
    );
  });

  it("checks clouds entries", () => {
    expect(parseError(indexDoc({ clouds: [{ region: "r" }] })).message).toContain(
      `index["${AGENTS}"].clouds[0].endpoint: missing, expected string`,
    );
    expect(parseError(indexDoc({ clouds: {} })).path).toBe(`index["${AGENTS}"].clouds`);
    expect(parseError(indexDoc({ cloudname: 3 })).path).toBe(`index["${AGENTS}"].cloudname`);
  });

  it("refuses entries and an index that are not objects", () => {
    expect(parseError({ ...indexDoc(), index: [] }).message).toContain(
      "index: expected object, got array",
    );
    expect(parseError({ format: "index:1.0", index: { x: null } }).path).toBe('index["x"]');
    expect(parseError("index").path).toBe("$");
  });

  it("refuses keys that differ from a decoded field only in case", () => {
    expect(parseError(indexDoc({ Path: "/x" })).path).toBe(`index["${AGENTS}"].Path`);
  });
});
