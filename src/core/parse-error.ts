/** Where in a JSON text something went wrong; `line` and `column` count from 1. */
export interface JsonPosition {
  offset: number;
  line: number;
  column: number;
}

export interface ParseErrorOptions {
  /** What was being read: `"index:1.0"`, `"products:1.0"` or `"JSON"`. */
  document: string;
  /** JSON path of the offending value, e.g. `products["p"].versions["v"].items["i"].size`. */
  path?: string;
  /** Set for malformed JSON text. */
  position?: JsonPosition;
}

/**
 * A document Juju would refuse (or that we refuse to publish): malformed JSON, a wrong
 * `format`, or a value of the wrong type. The message always names the JSON path or the
 * text position.
 */
export class ParseError extends Error {
  readonly document: string;
  /** JSON path of the offending value; `"$"` is the document itself, `""` for syntax errors. */
  readonly path: string;
  /** What is wrong, without the path: `expected integer, got string`. */
  readonly reason: string;
  readonly position: JsonPosition | undefined;

  constructor(reason: string, options: ParseErrorOptions) {
    const path = options.path ?? "";
    const where =
      options.position === undefined
        ? `invalid ${options.document} document: ${path}`
        : `malformed ${options.document} at line ${options.position.line} column ${options.position.column} (offset ${options.position.offset})`;
    super(`[streamgate] [core] ${where}: ${reason}`);
    this.name = "ParseError";
    this.document = options.document;
    this.path = path;
    this.reason = reason;
    this.position = options.position;
  }
}

/** The line and column of a UTF-16 offset in `text`. */
export function positionAt(text: string, offset: number): JsonPosition {
  let line = 1;
  let lineStart = 0;
  for (let i = text.indexOf("\n"); i !== -1 && i < offset; i = text.indexOf("\n", i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { offset, line, column: offset - lineStart + 1 };
}
