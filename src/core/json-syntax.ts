/**
 * Finds the first syntax error of a JSON text (RFC 8259). Used only after `JSON.parse` has
 * failed: engine messages do not always carry a position, and differ between runtimes.
 * Iterative, so deeply nested input cannot overflow the stack.
 */

export interface JsonSyntaxError {
  offset: number;
  reason: string;
}

const OBJECT = 0;
const ARRAY = 1;

function isWhitespace(code: number): boolean {
  return code === 0x20 || code === 0x0a || code === 0x0d || code === 0x09;
}

function isDigit(code: number): boolean {
  return code >= 0x30 && code <= 0x39;
}

function isHexDigit(code: number): boolean {
  return isDigit(code) || (code >= 0x41 && code <= 0x46) || (code >= 0x61 && code <= 0x66);
}

const ESCAPABLE = new Set(['"', "\\", "/", "b", "f", "n", "r", "t", "u"]);

export function findJsonSyntaxError(text: string): JsonSyntaxError | undefined {
  const end = text.length;
  const stack: number[] = [];
  let i = 0;

  const skipWhitespace = (): void => {
    while (i < end && isWhitespace(text.charCodeAt(i))) i++;
  };
  const error = (reason: string, offset = i): JsonSyntaxError => ({ offset, reason });
  const found = (): string => (i < end ? JSON.stringify(text[i]) : "end of input");

  const readString = (): JsonSyntaxError | undefined => {
    const start = i;
    i++;
    while (i < end) {
      const code = text.charCodeAt(i);
      if (code === 0x22) {
        i++;
        return undefined;
      }
      if (code < 0x20) return error("control character in string");
      if (code === 0x5c) {
        const escaped = text[i + 1];
        if (escaped === undefined || !ESCAPABLE.has(escaped))
          return error("invalid escape in string");
        if (escaped === "u") {
          for (let k = i + 2; k < i + 6; k++) {
            if (k >= end || !isHexDigit(text.charCodeAt(k))) {
              return error("invalid \\u escape in string", i);
            }
          }
          i += 6;
        } else {
          i += 2;
        }
        continue;
      }
      i++;
    }
    return error("unterminated string", start);
  };

  const readDigits = (what: string): JsonSyntaxError | undefined => {
    if (i >= end || !isDigit(text.charCodeAt(i))) return error(`expected a digit ${what}`);
    while (i < end && isDigit(text.charCodeAt(i))) i++;
    return undefined;
  };

  const readNumber = (): JsonSyntaxError | undefined => {
    if (text[i] === "-") i++;
    if (text[i] === "0") {
      i++;
      if (i < end && isDigit(text.charCodeAt(i))) return error("leading zero in number");
    } else {
      const failure = readDigits("in number");
      if (failure) return failure;
    }
    if (text[i] === ".") {
      i++;
      const failure = readDigits("after the decimal point");
      if (failure) return failure;
    }
    if (text[i] === "e" || text[i] === "E") {
      i++;
      if (text[i] === "+" || text[i] === "-") i++;
      const failure = readDigits("in exponent");
      if (failure) return failure;
    }
    return undefined;
  };

  const readKey = (): JsonSyntaxError | undefined => {
    skipWhitespace();
    if (text[i] !== '"')
      return error(`expected a property name in double quotes, found ${found()}`);
    const failure = readString();
    if (failure) return failure;
    skipWhitespace();
    if (text[i] !== ":") return error(`expected ':' after a property name, found ${found()}`);
    i++;
    return undefined;
  };

  let expectValue = true;
  for (;;) {
    skipWhitespace();
    if (expectValue) {
      const char = text[i];
      if (char === "{" || char === "[") {
        i++;
        skipWhitespace();
        const close = char === "{" ? "}" : "]";
        if (text[i] === close) {
          i++;
          expectValue = false;
          continue;
        }
        stack.push(char === "{" ? OBJECT : ARRAY);
        if (char === "{") {
          const failure = readKey();
          if (failure) return failure;
        }
        continue;
      }
      let failure: JsonSyntaxError | undefined;
      if (char === '"') failure = readString();
      else if (char === "-" || (char !== undefined && isDigit(char.charCodeAt(0)))) {
        failure = readNumber();
      } else {
        const literal = ["true", "false", "null"].find((word) => text.startsWith(word, i));
        if (literal === undefined) return error(`expected a value, found ${found()}`);
        i += literal.length;
      }
      if (failure) return failure;
      expectValue = false;
      continue;
    }
    const container = stack.at(-1);
    if (container === undefined) {
      return i < end ? error(`unexpected ${found()} after the JSON value`) : undefined;
    }
    const char = text[i];
    if (char === ",") {
      i++;
      if (container === OBJECT) {
        const failure = readKey();
        if (failure) return failure;
      }
      expectValue = true;
      continue;
    }
    if (char === (container === OBJECT ? "}" : "]")) {
      i++;
      stack.pop();
      continue;
    }
    return error(
      container === OBJECT
        ? `expected ',' or '}', found ${found()}`
        : `expected ',' or ']', found ${found()}`,
    );
  }
}
