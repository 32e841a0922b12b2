/**
 * @module
 * Replays Juju's metadata lookups against a served tree or a directory, to prove a mirror
 * works the way a Juju client will use it (`streamgate verify`). Runtime-neutral (web
 * `fetch`, web streams, Web Crypto through openpgp); a caller reading a directory passes
 * a `fetch` that answers `file:` URLs.
 */
export {
  type AgentLookupOptions,
  type AgentLookupResult,
  type FoundAgent,
  type LookupRequest,
  lookupAgent,
  type NoAgent,
  type SkippedRead,
  streamsSearched,
} from "./agent-lookup.ts";
export type {
  ClaimedTarball,
  IndexFileReport,
  InventoryEntry,
  InventoryItem,
  ProductFileReport,
  SourceInventory,
} from "./check-source.ts";
export { type LookupCloud, sameCloud } from "./cloud-spec.ts";
export type { VerifyArea, VerifyNote, VerifyProblem } from "./findings.ts";
export { formatVerifyReport } from "./format-report.ts";
export { formatImageBase, parseImageBase } from "./image-base.ts";
export {
  type FoundImage,
  type ImageLookupOptions,
  type ImageLookupResult,
  imageLookupProductId,
  lookupImage,
  type NoImage,
} from "./image-lookup.ts";
export type { AnswerKind } from "./metadata-answer.ts";
export type {
  AgentPick,
  AgentsReport,
  ImagePick,
  ImagesReport,
  TarballSummary,
  TreeReport,
  VerifyReport,
} from "./report.ts";
export {
  createSourceReader,
  INDEX_PATHS,
  type LoadedIndex,
  SourceError,
  type SourceReader,
  type SourceReaderOptions,
} from "./source-reader.ts";
export { type VerifyMirrorOptions, verifyMirror } from "./verify-mirror.ts";
