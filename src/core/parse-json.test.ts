import { describe, expect, it } from "vitest";
import { ParseError } from "./parse-error.ts";
import { parseJsonDocument } from "./parse-json.ts";

function syntaxError(text: string): ParseError {
  try {
    parseJsonDocument(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return error as ParseError;
  }
  throw new Error("expected a ParseError");
}

describe("parseJsonDocument", () => {
  it("returns what JSON.parse returns for valid text", () => {
    expect(parseJsonDocument('{"a": [1, "x", null, true]}')).toEqual({ a: [1, "x", null, true] });
  });

  it("reports the line, column and offset of a syntax error", () => {
    const error = syntaxError('{\n "a": 1,\n "b": }');
    expect(error.position).toEqual({ offset: 17, line: 3, column: 7 });
    expect(error.path).toBe("");
    expect(error.message).toBe(
      '[streamgate] [core] malformed JSON at line 3 column 7 (offset 17): expected a value, found "}"',
    );
  });

  it.each([
    ["", 0, "expected a value, found end of input"],
    ['{"a": 1', 7, "expected ',' or '}', found end of input"],
    ['{"a": 1,}', 8, 'expected a property name in double quotes, found "}"'],
    ["[1, 2,]", 6, 'expected a value, found "]"'],
    ['{"a" 1}', 5, "expected ':' after a property name, found \"1\""],
    ['{"a": 1} x', 9, 'unexpected "x" after the JSON value'],
    ['"abc', 0, "unterminated string"],
    ['"a\u0001"', 2, "control character in string"],
    ['"\\x"', 1, "invalid escape in string"],
    ['"\\u12g4"', 1, "invalid \\u escape in string"],
    ["01", 1, "leading zero in number"],
    ["1.", 2, "expected a digit after the decimal point"],
    ["1e+", 3, "expected a digit in exponent"],
    ["-", 1, "expected a digit in number"],
    ["tru", 0, 'expected a value, found "t"'],
    ["\ufeff{}", 0, 'expected a value, found "\ufeff"'],
    ["[[1] [2]]", 5, "expected ',' or ']', found \"[\""],
  ])("locates the error in %j", (text, offset, reason) => {
    const error = syntaxError(text);
    expect(error.position?.offset).toBe(offset);
    expect(error.reason).toBe(reason);
  });

  it("locates errors in deeply nested text without overflowing the stack", () => {
    const text = "[".repeat(200_000);
    expect(syntaxError(text).position?.offset).toBe(200_000);
  });

  it("marks non-integer size literals only when the text has one", () => {
    expect(parseJsonDocument('{"size": 10}')).toEqual({ size: 10 });
    expect(parseJsonDocument('{"size": 1.0, "other": 2.5}')).toEqual({ size: 1, other: 2.5 });
  });
});
