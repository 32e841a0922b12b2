/** Typed failures of `bundle export` / `bundle import`, so the CLI can tell bad input (exit 2) from a failure (exit 1). */

export interface BundleErrorOptions {
  /** The object key (or tar entry name) the failure is about, when there is one. */
  key?: string;
  cause?: unknown;
}

/**
 * A bundle that cannot be trusted or is damaged, or an export or import that could not
 * complete. The message names the object that failed whenever one did.
 */
export class BundleError extends Error {
  readonly key: string | undefined;

  constructor(message: string, options: BundleErrorOptions = {}) {
    super(`[streamgate] [bundle] ${message}`, { cause: options.cause });
    this.name = "BundleError";
    this.key = options.key;
  }
}

/** Bad input from the operator: an unknown `--since` generation, a bundle file that does not exist. */
export class BundleInputError extends BundleError {
  constructor(message: string, options: BundleErrorOptions = {}) {
    super(message, options);
    this.name = "BundleInputError";
  }
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message.replace(/^\[streamgate\] /, "") : String(error);
}
