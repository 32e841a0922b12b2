import { describe, expect, it } from "vitest";
import { findJsonSyntaxError } from "./json-syntax.ts";

describe("findJsonSyntaxError", () => {
  it.each([
    "{}",
    "[]",
    ' {"a": [1, -2.5e+3, 0, 0.1E-2, "x\\"\\u00e9\\n", true, false, null], "b": {}} ',
    '"just a string"',
    "-0",
  ])("accepts valid JSON %j", (text) => {
    expect(() => JSON.parse(text)).not.toThrow();
    expect(findJsonSyntaxError(text)).toBeUndefined();
  });

  it.each(["{", "[1,]", '{"a":}', "nul", "1 2", "[01]", '{"a":1,,}', "'a'"])(
    "rejects %j like JSON.parse does",
    (text) => {
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
      expect(findJsonSyntaxError(text)).toBeDefined();
    },
  );
});
