/**
 * @module
 * Air-gap transfer (`streamgate bundle`): a signed, streamed tar bundle of the published
 * tree (export online, verify and publish atomically offline), and the plain
 * `--metadata-source DIR` layout `juju bootstrap` reads. Node-only: bundles are files.
 */
export { classifyKey, compareForBundle, type ObjectClass } from "./classify-key.ts";
export { BundleError, type BundleErrorOptions, BundleInputError } from "./errors.ts";
export {
  type BundleProgress,
  type ExportBundleOptions,
  type ExportBundleResult,
  exportBundle,
} from "./export-bundle.ts";
export {
  type ImportBundleOptions,
  type ImportBundleResult,
  importBundle,
  MAX_MANIFEST_BYTES,
} from "./import-bundle.ts";
export { STAGING_PREFIX } from "./import-session.ts";
export {
  BUNDLE_FORMAT,
  type BundleJob,
  type BundleManifest,
  type BundleObject,
  type BundleSince,
  MANIFEST_ENTRY,
  parseManifest,
  renderManifest,
} from "./manifest.ts";
export {
  type ExportMetadataSourceOptions,
  type ExportMetadataSourceResult,
  exportMetadataSource,
  IMAGES_KEY,
} from "./metadata-source.ts";
export { type PlannedObject, planExport } from "./plan-export.ts";
export { DEFAULT_SINCE_JOB, parseSince, resolveSince, type SinceGeneration } from "./since.ts";
