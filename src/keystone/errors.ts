/** Keystone refused or failed a catalog request. Exit 1. */
export class KeystoneError extends Error {
  /** The HTTP status Keystone answered, when it answered. */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(`[streamgate] [keystone] ${message}`, { cause: options.cause });
    this.name = "KeystoneError";
    this.status = options.status;
  }
}
