import { sizeWrittenAsNonInteger } from "./json-checks.ts";
import { findJsonSyntaxError } from "./json-syntax.ts";
import { ParseError, positionAt } from "./parse-error.ts";

// Cheap pre-check on the raw text: only when it matches is the text parsed a second time
// with a reviver that sees number literals (the fast path stays one plain JSON.parse).
const NON_INTEGER_SIZE = /"size"\s*:\s*-?\d+[.eE]/;

interface ReviverContext {
  source?: string;
}

/**
 * `JSON.parse` that fails with a `ParseError` carrying line, column and offset. Also
 * remembers `size` fields written as `1.0` or `1e3`, which Go (and so Juju) refuses for an
 * integer field although JSON.parse reads them as integers; `parseProducts` then refuses
 * them too. Parse text with this rather than `JSON.parse` before calling the parsers.
 */
export function parseJsonDocument(text: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const syntax = findJsonSyntaxError(text);
    const offset = syntax?.offset ?? 0;
    throw new ParseError(syntax?.reason ?? (error as Error).message, {
      document: "JSON",
      position: positionAt(text, offset),
    });
  }
  if (!NON_INTEGER_SIZE.test(text)) return value;
  return parseMarkingNonIntegerSizes(text);
}

type SourceReviver = (key: string, value: unknown, context?: ReviverContext) => unknown;

// The reviver's third argument (TC39 "JSON.parse source text access"): V8 11.4+, so Node 21+
// and workerd.
const HAS_SOURCE_ACCESS = ((): boolean => {
  let source: string | undefined;
  const probe: SourceReviver = (_key, value, context) => {
    source = context?.source;
    return value;
  };
  JSON.parse("1", probe as (key: string, value: unknown) => unknown);
  return source === "1";
})();

function parseMarkingNonIntegerSizes(text: string): unknown {
  if (!HAS_SOURCE_ACCESS) {
    // Without source access `1.0` and `1` look the same: refuse rather than publish
    // something Juju may reject.
    const offset = NON_INTEGER_SIZE.exec(text)?.index ?? 0;
    throw new ParseError("size written as a number with a fraction or exponent", {
      document: "JSON",
      position: positionAt(text, offset),
    });
  }
  return JSON.parse(text, function markNonIntegerSize(
    this: object,
    key: string,
    value: unknown,
    context?: ReviverContext,
  ) {
    if (key === "size" && typeof value === "number" && /[.eE]/.test(context?.source ?? "")) {
      sizeWrittenAsNonInteger.add(this);
    }
    return value;
  } as (key: string, value: unknown) => unknown);
}
