/**
 * @module
 * The storage port (`ObjectStore`) and its runtime-neutral parts: typed errors, key
 * rules, the in-memory store and store-URL parsing. Node-only adapters are imported from
 * their own files (`./fs.ts`, `./open-store.ts`), so a Worker bundle never pulls `node:`
 * modules; the contract suite lives in `./store-contract.ts`.
 */
export {
  IntegrityError,
  InvalidKeyError,
  InvalidStoreUrlError,
  PreconditionFailedError,
  RangeNotSatisfiableError,
  StoreError,
  type StoreErrorOptions,
} from "./errors.ts";
export {
  assertValidKey,
  assertValidPrefix,
  compareKeys,
  INTERNAL_PREFIX,
  isInternalKey,
  isValidKey,
  type KeyValidationOptions,
  MAX_KEY_BYTES,
  MAX_SEGMENT_BYTES,
} from "./keys.ts";
export { createMemoryStore, MEMORY_STORE_NAME, type MemoryStoreOptions } from "./memory.ts";
export type {
  ByteRange,
  GetOptions,
  ObjectInfo,
  ObjectStore,
  PutBody,
  PutOptions,
  StoreCapabilities,
  StoredObject,
} from "./object-store.ts";
export { preconditionHolds } from "./precondition.ts";
export { type ResolvedRange, resolveRange } from "./range.ts";
export {
  DEFAULT_STORE_URL,
  type FileStoreUrl,
  parseStoreUrl,
  type S3StoreUrl,
  type StoreUrl,
} from "./url.ts";
