/** Typed failures of the storage port. `null` from a store means "not found"; these mean anything else. */

export interface StoreErrorOptions {
  store: string;
  operation: string;
  key?: string;
  cause?: unknown;
}

/** Any failure of a store other than "not found"; the HTTP layer answers 503. */
export class StoreError extends Error {
  readonly store: string;
  readonly operation: string;
  readonly key: string | undefined;

  constructor(message: string, options: StoreErrorOptions) {
    const where = options.key === undefined ? "" : ` for "${options.key}"`;
    super(`[streamgate] [${options.store}] ${options.operation} failed${where}: ${message}`, {
      cause: options.cause,
    });
    this.name = "StoreError";
    this.store = options.store;
    this.operation = options.operation;
    this.key = options.key;
  }
}

/** A key that is not a safe relative object path. */
export class InvalidKeyError extends Error {
  readonly key: string;

  constructor(key: string, reason: string) {
    super(`[streamgate] invalid object key ${JSON.stringify(key)}: ${reason}`);
    this.name = "InvalidKeyError";
    this.key = key;
  }
}

/** A conditional put (`ifNoneMatch` / `ifMatch`) whose condition did not hold; nothing was written. */
export class PreconditionFailedError extends StoreError {
  constructor(options: StoreErrorOptions) {
    super("precondition failed", options);
    this.name = "PreconditionFailedError";
  }
}

/** The bytes written did not match the size or sha256 the caller expected; nothing was written. */
export class IntegrityError extends StoreError {
  constructor(message: string, options: StoreErrorOptions) {
    super(message, options);
    this.name = "IntegrityError";
  }
}

/** A range that starts at or beyond the end of the object. */
export class RangeNotSatisfiableError extends StoreError {
  readonly size: number;

  constructor(size: number, options: StoreErrorOptions) {
    super(`range not satisfiable (object has ${size} bytes)`, options);
    this.name = "RangeNotSatisfiableError";
    this.size = size;
  }
}

/** A store URL (`--store`, `STREAMGATE_STORE`, `store:`) that is not one of the accepted forms. */
export class InvalidStoreUrlError extends Error {
  readonly url: string;

  constructor(url: string, message: string) {
    super(message);
    this.name = "InvalidStoreUrlError";
    this.url = url;
  }
}
