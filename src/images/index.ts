/**
 * @module
 * Juju `image-ids` metadata for a private cloud: image sources (OpenStack Keystone v3 +
 * Glance v2, a static list) → mapping to Ubuntu versions and Debian arches → signed
 * products and index under `images/` → a drift report. Runtime-neutral (Workers and Node);
 * the Node-only parts — clouds.yaml, static list and key files, `OS_CACERT`, the Node job —
 * live in `./node-images.ts`, `./clouds-yaml.ts` and `./node-fetch.ts` and are not
 * re-exported here.
 *
 * Shape: one index entry per stream (content id `com.ubuntu.cloud:custom` for released,
 * `com.ubuntu.cloud.daily:custom` for daily…; Juju does not filter image entries by content
 * id, only by datatype, clouds and product ids, which differ per stream), each naming its
 * product file `streams/v1/com.ubuntu.cloud-<stream>-imagemetadata.json` — the fixed name
 * `juju metadata generate-image` writes, so operators' tooling and DESIGN.md §4 hold. Every
 * publish whose items changed adds one version key to every product it lists (a snapshot
 * of the cloud) and keeps the snapshots of the `keepGenerations` publishes before it.
 */

export type { FetchFunction } from "./http-json.ts";
export {
  compileOverrides,
  type ImageOverride,
  imageOverrideSchema,
  type OverrideTable,
} from "./image-overrides.ts";
export {
  IMAGES_PREFIX,
  INDEX_PATH,
  imageProductId,
  PUBLIC_KEY_KEY,
  productFilePath,
  streamContentId,
} from "./image-paths.ts";
export type {
  DeclaredAttributes,
  ImageSource,
  ListImagesOptions,
  RegionListing,
  SourceImage,
  SourceListing,
} from "./image-source.ts";
export { ImageSourceError, ImagesInputError } from "./images-errors.ts";
export {
  createImagesJob,
  type ImagesJobDeps,
  type ImagesJobResult,
} from "./images-job.ts";
export { createImagesJobFromEnv, type ImagesJobFromEnvOptions } from "./images-job-from-env.ts";
export type {
  ChangedImage,
  FileChange,
  ImagesReport,
  ItemSummary,
  RegionReport,
} from "./images-report.ts";
export { JUJU_ARCHES, parseJujuArch } from "./juju-arch.ts";
export { type CatalogService, identityV3Url } from "./keystone.ts";
export { type MappedImage, mapImage, type UnmappedImage } from "./map-image.ts";
export {
  type ApplicationCredentialAuth,
  type EndpointInterface,
  type OpenStackCredentials,
  openStackCredentialsFromEnv,
  type PasswordAuth,
} from "./openstack-credentials.ts";
export { createOpenStackSource, type OpenStackSourceOptions } from "./openstack-source.ts";
export { type ImageTreePlan, planImageTree } from "./plan-image-tree.ts";
export { type PreviousImages, readPreviousImages } from "./read-previous-images.ts";
export { selectImages } from "./select-images.ts";
export {
  createStaticImageSource,
  parseStaticImageList,
  type StaticImageList,
} from "./static-image-list.ts";
export {
  DEFAULT_CONTENT_ID,
  DEFAULT_KEEP_GENERATIONS,
  type ImagesSyncResult,
  type RunImagesSyncOptions,
  runImagesSync,
} from "./sync-images.ts";
export { parseUbuntuVersion, UBUNTU_RELEASES } from "./ubuntu-releases.ts";
export { nextVersionKey } from "./version-key.ts";
