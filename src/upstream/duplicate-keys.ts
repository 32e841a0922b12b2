/**
 * Finds a key repeated within one JSON object. `JSON.parse` (and Go's encoding/json, which
 * Juju uses) keep the last value, other readers the first: a signed document with a
 * repeated key can say two things at once, so upstream metadata that has one is refused.
 * Iterative and linear, so deeply nested or large input costs no stack and no quadratic
 * work. Expects text that `JSON.parse` accepted.
 */

export interface DuplicateKey {
  key: string;
  /**
   * JSON path of the object holding it: `$`, `$.products["p"].versions["v"]`… (the middle
   * of a very deep path is elided).
   */
  path: string;
  /** Of the second occurrence's opening quote. */
  offset: number;
  line: number;
  column: number;
}

interface Frame {
  parent: Frame | undefined;
  /** How the parent reaches this container. */
  step: string | number | undefined;
  /** Keys seen so far; `undefined` for an array. */
  keys: Set<string> | undefined;
  expectKey: boolean;
  /** Last key read (objects) or current index (arrays). */
  at: string | number;
}

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;
/** Steps shown at each end of a longer path. */
const PATH_ENDS = 6;

// Built only for the message: paths are not kept as strings while scanning, or 100 000
// nested levels would cost gigabytes.
function pathOf(frame: Frame | undefined): string {
  const steps: string[] = [];
  for (let current = frame; current?.parent !== undefined; current = current.parent) {
    const step = current.step;
    if (typeof step === "number") steps.push(`[${step}]`);
    else if (step !== undefined)
      steps.push(IDENTIFIER.test(step) ? `.${step}` : `[${JSON.stringify(step)}]`);
  }
  steps.reverse();
  if (steps.length > 2 * PATH_ENDS + 1) {
    const hidden = steps.length - 2 * PATH_ENDS;
    steps.splice(PATH_ENDS, hidden, `…(${hidden} more levels)…`);
  }
  return `$${steps.join("")}`;
}

function endOfString(text: string, start: number): { end: number; escaped: boolean } {
  let escaped = false;
  for (let i = start + 1; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === 0x5c /* \ */) {
      escaped = true;
      i++;
    } else if (code === 0x22 /* " */) {
      return { end: i, escaped };
    }
  }
  return { end: text.length - 1, escaped };
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

export function findDuplicateKey(text: string): DuplicateKey | undefined {
  let top: Frame | undefined;
  for (let i = 0; i < text.length; i++) {
    switch (text.charCodeAt(i)) {
      case 0x7b /* { */:
      case 0x5b /* [ */:
        {
          const isObject = text.charCodeAt(i) === 0x7b;
          top = {
            parent: top,
            step: top?.at,
            keys: isObject ? new Set() : undefined,
            expectKey: isObject,
            at: 0,
          };
          break;
        }
      case 0x7d /* } */:
      case 0x5d /* ] */:
        top = top?.parent;
        break;
      case 0x2c /* , */:
        if (top?.keys !== undefined) top.expectKey = true;
        else if (top !== undefined) top.at = (top.at as number) + 1;
        break;
      case 0x22 /* " */:
        {
          const { end, escaped } = endOfString(text, i);
          if (top?.keys !== undefined && top.expectKey) {
            // `"\u0073ha256"` is `"sha256"` to every reader.
            const key = escaped
              ? (JSON.parse(text.slice(i, end + 1)) as string)
              : text.slice(i + 1, end);
            if (top.keys.has(key)) {
              return { key, path: pathOf(top), offset: i, ...lineAndColumn(text, i) };
            }
            top.keys.add(key);
            top.at = key;
            top.expectKey = false;
          }
          i = end;
          break;
        }
    }
  }
  return undefined;
}
